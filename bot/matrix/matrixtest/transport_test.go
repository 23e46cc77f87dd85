package matrixtest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A request sent while the server is down is answered once it is back on
// the same address, with its body intact; one whose context ends first
// fails with the context's error.
func TestTransportWaitsForRestart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // down: connections are refused

	got := make(chan string, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
		io.WriteString(w, "ok")
	})}
	defer srv.Close()
	go func() {
		time.Sleep(300 * time.Millisecond)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Errorf("listen again on %s: %v", addr, err)
			return
		}
		srv.Serve(l)
	}()

	cli := &http.Client{Transport: Transport(http.DefaultTransport)}
	resp, err := cli.Post("http://"+addr+"/createRoom", "application/json", strings.NewReader(`{"name":"r"}`))
	if err != nil {
		t.Fatalf("request through a restart: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" || <-got != `{"name":"r"}` {
		t.Errorf("response %q; the server should have had the body", body)
	}

	// A port nothing will listen on again: the context ends the wait.
	l2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l2.Addr().String()
	l2.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+dead+"/", nil)
	if _, err := cli.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a request to a server that never returns: %v, want the context's deadline", err)
	}
}
