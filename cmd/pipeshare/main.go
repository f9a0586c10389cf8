// Command pipeshare plans cross-account sharing of Amazon SageMaker
// Pipelines offline: it simulates an AWS organization, its RAM shares of
// pipelines and a workload of API calls, and reports who could call what,
// when, and why not. See the README for a tour.
package main

import "os"

func main() {
	ctx, stop := interruptContext()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
