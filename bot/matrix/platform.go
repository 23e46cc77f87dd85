package matrix

import "github.com/policybot/policybot/bot"

// Conventions is what the Matrix adapter declares to the core: commands
// start with "!", and each stands alone ("!cite 6").
func Conventions() bot.Platform {
	return bot.Platform{Name: "matrix", Prefix: "!"}
}

// Platform declares the adapter's conventions (see Conventions).
func (a *Adapter) Platform() bot.Platform { return Conventions() }
