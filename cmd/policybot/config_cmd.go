package main

import (
	"context"
	"errors"
)

func runConfig(ctx context.Context, env *cmdEnv, args []string) error {
	return errors.New("config: not built yet")
}

func runHealthcheck(ctx context.Context, env *cmdEnv, args []string) error {
	return errors.New("healthcheck: not built yet")
}
