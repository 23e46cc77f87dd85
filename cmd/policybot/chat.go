package main

import (
	"context"
	"errors"
)

func runChat(ctx context.Context, env *cmdEnv, args []string) error { return errors.New("todo") }
func runAsk(ctx context.Context, env *cmdEnv, args []string) error  { return errors.New("todo") }
func runEval(ctx context.Context, env *cmdEnv, args []string) error { return errors.New("todo") }
