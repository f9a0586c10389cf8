package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// pool runs the independent jobs of one command on a pool of goroutines:
// the replicas of run --replicas, the replicas of the points of plan.
type pool struct {
	ctx     context.Context // the command's: cancelling it stops every job
	cmd     string          // "pipeshare run", the head of the error of a cancelled ctx
	workers int             // goroutines, at most one a job
	// window bounds the jobs started and not yet released by record (0:
	// no bound), so that results kept until their turn stay few.
	window   int
	progress *progress
	// line is the progress line with done of total jobs done, before its ETA.
	line func(done, total int) string
}

// runPool runs do(ctx, j) for every job j in [0, n) on p's goroutines and
// hands each result to record(j, v) on the calling goroutine, in the
// order the jobs finish; record returns how many jobs it is now done
// with, each freeing a place in p.window. The first error of a job
// cancels the others (they see ctx) and is returned once all have
// stopped; a cancelled p.ctx (the user's interrupt) is an input error
// that says so. record sees no result after an error.
func runPool[T any](p pool, n int, do func(ctx context.Context, j int) (T, error), record func(j int, v T) (released int)) error {
	ctx, cancel := context.WithCancelCause(p.ctx) // a job's error stops the others
	defer cancel(nil)
	type result struct {
		j   int
		v   T
		err error
	}
	jobs := make(chan int)
	results := make(chan result, p.workers)
	var window chan struct{}
	if p.window > 0 {
		window = make(chan struct{}, p.window)
	}
	var wg sync.WaitGroup
	for range min(p.workers, n) {
		wg.Go(func() {
			for j := range jobs {
				v, err := do(ctx, j)
				results <- result{j, v, err}
			}
		})
	}
	go func() {
		defer close(jobs)
		for j := range n {
			if window != nil {
				select {
				case window <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	done := 0
	line := func(elapsed time.Duration) string {
		return p.line(done, n) + eta(float64(done)/float64(n), elapsed)
	}
	p.progress.restart(time.Now())
	var firstErr error
	for r := range results {
		if r.err != nil || firstErr != nil {
			if firstErr == nil {
				firstErr = r.err
				cancel(r.err)
			}
			continue
		}
		released := record(r.j, r.v)
		done++
		p.progress.update(line)
		if window != nil {
			for range released {
				<-window
			}
		}
	}
	if err := p.ctx.Err(); err != nil {
		return inputError(fmt.Errorf("%s: %v", p.cmd, err))
	}
	if firstErr != nil {
		return firstErr
	}
	p.progress.finish(line)
	return nil
}
