package store

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestSubscriptionsAndLedger(t *testing.T) { engines(t, testSubscriptionsAndLedger) }

func testSubscriptionsAndLedger(t *testing.T, path string) {
	ctx := context.Background()
	s := openAt(t, path)
	sub := Subscription{Platform: "matrix", Conversation: "!room:example.org", Hour: 9, Minute: 30,
		Zone: "Europe/Berlin", Passages: 2, Source: SourceChat, Active: true,
		NextDate: "2026-11-26", NextDue: time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC), Seed: -42}
	err := s.Write(ctx, func(tx *Tx) error {
		id, err := tx.PutSubscription(ctx, sub)
		sub.ID = id
		return err
	})
	if err != nil || sub.ID == 0 {
		t.Fatalf("insert: id %d, %v", sub.ID, err)
	}
	// Same conversation twice is refused by the schema.
	err = s.Write(ctx, func(tx *Tx) error {
		dup := sub
		dup.ID = 0
		_, err := tx.PutSubscription(ctx, dup)
		return err
	})
	if err == nil {
		t.Fatal("a second subscription for the same conversation was accepted")
	}

	d := Delivery{Subscription: sub.ID, LocalDate: "2026-11-26", Key: "digest-1-2026-11-26", Paragraphs: []int{4, 17}, Attempts: 1}
	if err := s.Write(ctx, func(tx *Tx) error { return tx.PutDelivery(ctx, d) }); err != nil {
		t.Fatal(err)
	}
	// A ledger entry for a subscription that does not exist: foreign keys.
	if err := s.Write(ctx, func(tx *Tx) error {
		return tx.PutDelivery(ctx, Delivery{Subscription: 999, LocalDate: "x", Key: "k"})
	}); err == nil {
		t.Fatal("ledger entry for a missing subscription accepted: foreign keys off?")
	}

	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, ok, err := s.Subscription(ctx, "matrix", "!room:example.org")
	if err != nil || !ok {
		t.Fatalf("read back: %v %v", ok, err)
	}
	if !got.NextDue.Equal(sub.NextDue) || time.Since(got.Created) > time.Hour || !got.LastSent.IsZero() {
		t.Fatalf("times read back: %+v", got)
	}
	got.Created, got.NextDue, got.LastSent = sub.Created, sub.NextDue, sub.LastSent
	if !reflect.DeepEqual(got, sub) {
		t.Fatalf("read back\n got %+v\nwant %+v", got, sub)
	}
	gd, ok, err := s.Delivery(ctx, sub.ID, "2026-11-26")
	if err != nil || !ok || gd.Key != d.Key || !reflect.DeepEqual(gd.Paragraphs, d.Paragraphs) || !gd.Sent.IsZero() || gd.Intent.IsZero() {
		t.Fatalf("ledger read back: %+v %v %v", gd, ok, err)
	}
	var n int
	if err := s.ActiveSubscriptions(ctx, func(Subscription) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("ActiveSubscriptions: %d, %v", n, err)
	}
}
