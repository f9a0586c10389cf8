package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/pipeshare/pipeshare/internal/words"
)

const validateAbout = `Checks scenario files and prints every error and warning as
file:line:col: message, sorted by position. Exit 2 when a file has an error.`

func cmdValidate(e *env, args []string) error {
	fs := newFlagSet(e, "validate", "validate FILE... [flags]", validateAbout)
	var lf loadFlags
	lf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("pipeshare validate: name at least one scenario file")
	}
	var failed []string
	for _, arg := range fs.Args() {
		c, err := compileScenario(e, arg, lf)
		if err != nil {
			io.WriteString(e.stderr, strings.TrimRight(err.Error(), "\n")+"\n")
			failed = append(failed, arg)
			continue
		}
		w := c.World
		fmt.Fprintf(e.stdout, "%s: ok (%s, %s, %s, %s, %s)\n", c.File, words.Count(w.NumAccounts(), "account"),
			words.Count(w.NumPrincipals(), "principal"), words.Count(w.NumPipelines(), "pipeline"),
			words.Count(w.NumEvents(), "event"), words.Count(len(c.Warnings), "warning"))
	}
	if failed != nil {
		return &exitError{code: exitInput}
	}
	return nil
}
