package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
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
		fmt.Fprintf(e.stdout, "%s: ok (%s, %s, %s, %s, %s)\n", c.File, nouns(w.NumAccounts(), "account"),
			nouns(w.NumPrincipals(), "principal"), nouns(w.NumPipelines(), "pipeline"),
			nouns(w.NumEvents(), "event"), nouns(len(c.Warnings), "warning"))
	}
	if failed != nil {
		return &exitError{code: exitInput}
	}
	return nil
}

// nouns returns "1 pipeline" or "3 pipelines".
func nouns(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
