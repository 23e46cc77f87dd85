package bot

import (
	"context"
	"time"
)

// Subscription is a conversation's daily digest.
type Subscription struct {
	Platform     string
	Conversation string
	Hour, Minute int    // local time of day
	Zone         string // IANA time zone name, e.g. "Europe/Berlin"
	Passages     int    // passages per digest, at least 1
}

// SubscriptionStatus is a subscription with its schedule.
type SubscriptionStatus struct {
	Subscription
	Next     time.Time // next delivery, in the subscription's zone
	LastSent time.Time // zero if none yet
}

// Subscriptions stores digest subscriptions. The core validates what users
// type and calls this; the digest scheduler implements it.
type Subscriptions interface {
	Subscribe(ctx context.Context, s Subscription) (SubscriptionStatus, error)
	// Unsubscribe reports whether there was a subscription to remove.
	Unsubscribe(ctx context.Context, platform, conversation string) (bool, error)
	// Status reports the conversation's subscription, if any.
	Status(ctx context.Context, platform, conversation string) (SubscriptionStatus, bool, error)
	// Delivers reports whether digests can be posted on a platform (not
	// on the console, for one).
	Delivers(platform string) bool
}
