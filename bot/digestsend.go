package bot

import (
	"context"
	"fmt"
)

// Digest is one conversation's digest for one local date, as the digest
// scheduler hands it out: what to quote, not how it reads.
type Digest struct {
	Conversation string
	// Date is the local date, written out ("Monday, 1 December 2026").
	Date       string
	Paragraphs []int
	// Key is unique per subscription and local date; Retry is true when
	// an earlier attempt with this key may have been posted (see
	// DigestPoster).
	Key   string
	Retry bool
}

// DigestPoster posts a composed digest to a conversation. Adapters
// implement it. When retry is true an earlier attempt with key may already
// be posted, and the poster must look for it (a Matrix transaction ID, a
// Slack metadata key) and not post a second copy.
type DigestPoster interface {
	Deliver(ctx context.Context, conversation string, r Reply, key string, retry bool) error
}

// DigestSender composes digests for one platform, with the same limits and
// command hints as any reply, and hands them to that platform's poster.
// The digest scheduler delivers through it.
type DigestSender struct {
	b        *Bot
	platform Platform
	poster   DigestPoster
}

// DigestSender returns the digest sender for a platform's poster.
func (b *Bot) DigestSender(p Platform, poster DigestPoster) *DigestSender {
	return &DigestSender{b: b, platform: p, poster: poster}
}

// SendDigest composes d and posts it.
func (s *DigestSender) SendDigest(ctx context.Context, d Digest) error {
	r, err := s.b.DigestReply(s.platform, d)
	if err != nil {
		return err
	}
	return s.poster.Deliver(ctx, d.Conversation, r, d.Key, d.Retry)
}

// Ready reports whether the poster can post now, when it can tell.
func (s *DigestSender) Ready() error {
	if r, ok := s.poster.(interface{ Ready() error }); ok {
		return r.Ready()
	}
	return nil
}

// DigestReply is the digest message: a heading with the local date, the
// quoted paragraphs with their citations, and how to ask more.
func (b *Bot) DigestReply(p Platform, d Digest) (Reply, error) {
	r := Reply{Kind: KindAnswer, Title: "Daily quote — " + d.Date}
	for _, n := range d.Paragraphs {
		// A paragraph a replaced statement no longer has is left out.
		if para, ok := b.doc.Paragraph(n); ok {
			r.Passages = append(r.Passages, PassageOf(b.doc, para))
		}
	}
	if len(r.Passages) == 0 {
		return Reply{}, fmt.Errorf("digest %s: the statement has none of paragraphs %v; was the statement file replaced?", d.Key, d.Paragraphs)
	}
	if len(r.Passages) > 1 {
		r.Title = "Daily quotes — " + d.Date
	}
	m := p.Message(d.Conversation)
	// "policy ask" works on every platform, whichever commands stand alone.
	r.Hint = "Ask me anything about the statement: " + m.Prefix + "policy ask …"
	return b.limit(r, m), nil
}
