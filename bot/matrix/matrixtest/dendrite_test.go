package matrixtest

import (
	"context"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// A Dendrite that dies unasked is started again on the same address; one
// stopped on purpose stays stopped.
func TestRestartsAfterCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Dendrite")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	s, err := Start(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	s.op.Lock()
	pid := s.cmd.Process.Pid
	s.op.Unlock()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for s.Crashes() == 0 || !answers(s.URL) {
		if time.Now().After(deadline) {
			t.Fatalf("not answering a minute after a crash (crashes counted: %d)", s.Crashes())
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.op.Lock()
	restarted, watched := s.cmd, s.watched
	s.op.Unlock()
	if restarted == nil || restarted.Process.Pid == pid {
		t.Fatalf("after the crash: process %v, want a new one (the killed one was %d)", restarted, pid)
	}
	// Stop returns once the process has exited and its watcher, the only
	// thing that starts Dendrite again, has decided what to do about it:
	// from then on nothing can bring the server back.
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if restarted.ProcessState == nil {
		t.Fatal("Stop returned before the process exited")
	}
	select {
	case <-watched:
	default:
		t.Fatal("Stop returned before the watcher had seen the exit")
	}
	s.op.Lock()
	cmd := s.cmd
	s.op.Unlock()
	if cmd != nil || answers(s.URL) || s.Crashes() != 1 {
		t.Fatalf("after Stop: process %v, answering %v, crashes %d; want none, stopped, 1", cmd, answers(s.URL), s.Crashes())
	}
}

func answers(url string) bool {
	resp, err := http.Get(url + "/_matrix/client/versions")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
