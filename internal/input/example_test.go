package input_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/pipeshare/pipeshare/internal/input"
)

func Example() {
	fsys := fstest.MapFS{
		"small.yaml": {Data: []byte("version: 1\n")},
		"big.yaml":   {Data: []byte(strings.Repeat("#", 2048))},
		"folder":     {Mode: fs.ModeDir},
	}
	data, err := input.ReadFile(fsys, "small.yaml", 1024)
	fmt.Printf("%q %v\n", data, err)
	for _, name := range []string{"big.yaml", "folder"} {
		_, err = input.ReadFile(fsys, name, 1024)
		var pe *fs.PathError
		errors.As(err, &pe)
		fmt.Printf("%s:1:1: %v\n", pe.Path, pe.Err)
	}
	fmt.Println(input.Quote(strings.Repeat("a", 200))[100:])
	// Output:
	// "version: 1\n" <nil>
	// big.yaml:1:1: file too large (limit 1 KiB, raise with --max-input)
	// folder:1:1: is a folder, not a file
	// aaaaaaaaaaaaaaaaaaaaa…"
}
