package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeOutput renders to stdout or, when path is set, atomically to path:
// into a temporary file in the same folder, renamed over path only when
// render succeeded, so a failed run leaves no partial file. Either way the
// output streams through a buffer, so a report of millions of rows (the
// access matrix of a large organization) is never held whole in memory.
func writeOutput(path string, stdout io.Writer, render func(io.Writer) error) error {
	if path == "" || path == "-" {
		bw := bufio.NewWriterSize(stdout, 1<<16)
		if err := render(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	return writeFileAtomic(path, render)
}

func writeFileAtomic(path string, render func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	tmp := f.Name()
	// CreateTemp makes the file private; a report is an ordinary file.
	werr := f.Chmod(0o644)
	var rerr error
	if werr == nil {
		bw := bufio.NewWriterSize(f, 1<<16)
		if rerr = render(bw); rerr == nil {
			werr = bw.Flush()
		}
	}
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if rerr == nil && werr == nil {
		werr = os.Rename(tmp, path)
	}
	if rerr != nil || werr != nil {
		os.Remove(tmp)
		if rerr != nil {
			return rerr
		}
		return fmt.Errorf("--out: %w", werr)
	}
	return nil
}
