package main

import (
	"errors"
	"fmt"
)

// Exit codes (docs/commands.md#exit-codes).
const (
	exitOK       = 0
	exitFindings = 1 // check found findings, diff found differences
	exitInput    = 2 // usage or input error
)

// exitError carries an exit code and the message to print (if any).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageErrorf is a usage error: exit 2 with a one-line message.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitInput, msg: fmt.Sprintf(format, args...)}
}

// inputError wraps an input error (already formatted with positions).
func inputError(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code: exitInput, msg: err.Error()}
}

// errHelp means --help was given: the usage was printed, exit 0.
var errHelp = &exitError{code: exitOK}
