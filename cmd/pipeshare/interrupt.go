package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// interrupted is the cause of a context cancelled by a signal.
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string {
	if i.sig == syscall.SIGTERM {
		return "terminated (SIGTERM)"
	}
	return "interrupted (SIGINT)"
}

// exitCode is the shell's code for a process ended by the signal: 130 for
// SIGINT, 143 for SIGTERM.
func (i interrupted) exitCode() int { return 128 + int(i.sig) }

// interruptContext returns a context that the first SIGINT or SIGTERM
// cancels, with an [interrupted] cause: the command stops at its next
// check, its outputs remove their temporary files and run exits 130 or
// 143. A second signal does not wait for that: it removes the temporary
// files still there and exits at once. stop ends the watch.
func interruptContext() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			cancel(interrupted{s.(syscall.Signal)})
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			temps.removeAll()
			os.Exit(interrupted{s.(syscall.Signal)}.exitCode())
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}
