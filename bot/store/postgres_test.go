package store

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://bot:s3cret@db:5432/policybot?sslmode=require", "postgres://bot:xxxxx@db:5432/policybot?sslmode=require"},
		{"postgresql://bot@db/policybot?password=s3cret", "postgresql://bot@db/policybot?password=xxxxx"},
		{"/var/lib/policybot/policybot.db", "/var/lib/policybot/policybot.db"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestParsePostgres(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://bot:s3cret@db:5432/policybot?sslmode=verify-full", ""},
		{"postgres://bot:s3cret@/policybot", "names no server"},
		{"postgres://bot:s3cret@db:5432", "names no database"},
		{"postgres://bot:s3cret@db:5432/policybot?sslmode=always", "sslmode=always is not one of"},
		{"postgres://bot:s3cret@db:notaport/policybot", "not a valid URL"},
		{"postgres://bot:s3cret@db/policybot?connect_timeout=soon", "connect_timeout"},
	} {
		_, err := ParsePostgres(tc.in)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("ParsePostgres(%q): %v", tc.in, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("ParsePostgres(%q) = %v; want an error saying %q", tc.in, err, tc.want)
		case err != nil && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("ParsePostgres(%q) shows the password: %v", tc.in, err)
		}
	}
}

// Replicas that start together run the migrations once, in turn.
func TestPostgresMigrationsRace(t *testing.T) {
	url := pg.Database(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			s, err := Open(context.Background(), url)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}
	s := openAt(t, url)
	var n, max int
	if err := s.r.QueryRow("SELECT COUNT(*), MAX(version) FROM schema_version").Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != SchemaVersion() || max != SchemaVersion() {
		t.Fatalf("schema_version has %d rows up to %d; want each of the %d migrations once", n, max, SchemaVersion())
	}
}

// What an operator sees for the usual mistakes: each names the problem
// and never shows the password.
func TestPostgresErrors(t *testing.T) {
	srv := pg.Server(t)
	good := pg.Database(t)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	deadPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	for _, tc := range []struct {
		name, url, want string
	}{
		{"wrong password", strings.Replace(good, "policybot-test", "wrong-pw-123", 1), "refused the user name or password"},
		{"missing database", srv.URL("nosuchdb"), "database does not exist"},
		{"nothing listening", fmt.Sprintf("postgres://policybot:wrong-pw-123@127.0.0.1:%d/x?sslmode=disable&connect_timeout=2", deadPort), "cannot reach the server"},
		{"TLS required, server has none", strings.Replace(srv.URL("postgres"), "sslmode=disable", "sslmode=require", 1), "does not offer TLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := Open(ctx, tc.url)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q\nshould say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "wrong-pw-123") || strings.Contains(err.Error(), "policybot-test") {
				t.Fatalf("error shows the password: %q", err)
			}
		})
	}
}

// Concurrent read-then-write transactions on PostgreSQL behave as if
// there were one writer: none of the increments is lost.
func TestPostgresWritesSerialise(t *testing.T) {
	s := openAt(t, pg.Database(t))
	ctx := context.Background()
	if err := s.SetState(ctx, "test", "n", "0"); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Go(func() {
			for range each {
				errs <- s.Write(ctx, func(tx *Tx) error {
					var v int
					if err := tx.tx.QueryRowContext(ctx, "SELECT CAST(value AS BIGINT) FROM state WHERE namespace = 'test' AND key = 'n'").Scan(&v); err != nil {
						return err
					}
					_, err := tx.tx.ExecContext(ctx, "UPDATE state SET value = $1 WHERE namespace = 'test' AND key = 'n'", fmt.Sprint(v+1))
					return err
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if v, _, err := s.GetState(ctx, "test", "n"); err != nil || v != fmt.Sprint(writers*each) {
		t.Fatalf("counter = %s, %v; want %d", v, err, writers*each)
	}
}
