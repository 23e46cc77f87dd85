package slack

import "github.com/policybot/policybot/bot"

// Conventions is what the Slack adapter declares to the core: slash
// commands start with "/", and only /policy and /principle exist (the
// commands the app's manifest registers), so everything else is written
// "/policy <command>".
func Conventions() bot.Platform {
	return bot.Platform{Name: Platform, Prefix: "/", Direct: directCommands()}
}

// Platform declares the adapter's conventions (see Conventions).
func (a *Adapter) Platform() bot.Platform { return Conventions() }
