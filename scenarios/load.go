package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/internal/input"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// Scenario is a decoded scenario file: the two configurations the model and
// the simulator are built from, plus what describes the file.
type Scenario struct {
	File     string    // name used in positions
	Name     string    // the scenario's name
	Start    time.Time // UTC
	Model    model.Config
	Sim      sim.Config
	SHA256   string     // hex of the input bytes
	Warnings ErrorList  // sorted by position
	Rules    []sim.Rule // user compliance rules (rules.go)
	Traces   []TraceRef // workload: - trace: FILE
}

// LoadOptions tunes Parse and Load. The zero value uses the defaults.
type LoadOptions struct {
	// MaxInput is the largest input accepted, in bytes; 0 means
	// DefaultMaxInput and a negative value means no limit.
	MaxInput int64
	// ReadFile reads the files a scenario names (the base an `extends:`
	// key names, a pipeline's definition), by their paths joined with the
	// folder of the file that names them. It is the caller's bounded
	// reader: it refuses what is not a regular file, what is over the size
	// limit (input.ReadFile) and, in pipeshare, what is outside the root
	// folder (input.Root). When it is nil, or the file does not exist,
	// extends names an embedded scenario. Load reads from its fs.FS with
	// input.ReadFile when ReadFile is nil.
	ReadFile func(name string) ([]byte, error)
	// Sets are --set overrides, "PATH=VALUE", applied in order to the
	// merged YAML tree before decoding (see overlay.go).
	Sets []string
}

// DefaultMaxInput is the input size limit when LoadOptions.MaxInput is 0:
// that of every document pipeshare reads.
const DefaultMaxInput = input.DefaultLimit

func (o LoadOptions) maxInput() int64 {
	if o.MaxInput == 0 {
		return DefaultMaxInput
	}
	return o.MaxInput
}

// Parse decodes one scenario file of format v1; file is the name used in
// positions. It checks the YAML's shape and the syntax of every value
// (docs/scenario-format.md#validation-rules) and reports every problem it finds; the
// references it leaves in the configurations (account, policy, share and
// pipeline names, OU paths, principals) are resolved and checked by
// model.NewWorld and sim.New.
//
// On success it returns the scenario (with its warnings) and a nil error.
// Otherwise it returns a nil *Scenario and an [ErrorList] of every error and
// warning, sorted by position. It never panics on any input, does not
// retain data, and is safe to call concurrently.
func Parse(file string, data []byte, opts LoadOptions) (*Scenario, error) {
	b, err := ParseBase(file, data, opts)
	if err != nil {
		return nil, err
	}
	return b.sc, nil
}

// Load reads the file name from fsys and parses it (see [Parse]); name is
// also the name used in positions. It reads with input.ReadFile, at most
// the size limit (plus one byte), so a huge file is refused without being
// read whole, and so are the files it names when opts.ReadFile is nil. An
// error opening or reading the file is returned as is (an *fs.PathError).
func Load(fsys fs.FS, name string, opts LoadOptions) (*Scenario, error) {
	if opts.ReadFile == nil {
		opts.ReadFile = func(p string) ([]byte, error) { return input.ReadFile(fsys, filepath.ToSlash(p), opts.maxInput()) }
	}
	data, err := input.ReadFile(fsys, name, opts.maxInput())
	if tl := (*input.TooLargeError)(nil); errors.As(err, &tl) {
		return nil, tooLarge(name, tl.Limit)
	}
	if err != nil {
		return nil, err
	}
	return Parse(name, data, opts)
}

// tooLarge is the error of file over limit bytes.
func tooLarge(file string, limit int64) ErrorList {
	return ErrorList{{Pos: model.Pos{File: file, Line: 1, Col: 1}, Msg: (&input.TooLargeError{Limit: limit}).Error()}}
}

func (d *decoder) at(line, col int) model.Pos {
	return model.Pos{File: d.file, Line: line, Col: col}
}

var yamlLineRE = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// parseYAML checks the raw bytes and parses them into a document's root
// node. It returns nil when there is nothing to decode (errors reported).
func (d *decoder) parseYAML(data []byte) *yaml.Node {
	if len(bytes.TrimSpace(data)) == 0 {
		d.errs.Add(d.at(1, 1), "empty scenario")
		return nil
	}
	tabLines, fatal := scanText(d, data)
	if fatal {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			if len(tabLines) == 0 {
				d.errs.Add(d.at(1, 1), "empty scenario")
			}
			return nil
		}
		d.yamlError(err, tabLines)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		d.errs.Add(d.at(next.Line, next.Column), "a scenario file holds one YAML document; found another")
	case !errors.Is(err, io.EOF):
		d.yamlError(err, tabLines)
	}
	if len(doc.Content) == 0 {
		d.errs.Add(d.at(1, 1), "empty scenario")
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" && root.Value == "" {
		d.errs.Add(d.at(1, 1), "empty scenario") // "---" and nothing else
		return nil
	}
	return root
}

// yamlError reports a yaml.v3 syntax error ("yaml: line N: msg") at N:1,
// or at 1:1 when it names no line. An error at or after a line with a tab
// in its indentation is taken as a consequence of the tab and dropped.
func (d *decoder) yamlError(err error, tabLines []int) {
	msg := err.Error()
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	if len(tabLines) > 0 && line >= tabLines[0]-1 {
		return
	}
	d.errs.Add(d.at(max(line, 1), 1), msg)
}

// scanText reports tabs in indentation and characters YAML does not allow,
// with their positions (yaml.v3 reports them badly or not at all), and the
// first NUL byte or byte that is not UTF-8 as "not a text file". It
// returns the lines with tab errors, and fatal when YAML cannot parse the
// text at all. Columns count characters, as yaml.v3's and internal/jsonpos's
// do.
func scanText(d *decoder, data []byte) (tabLines []int, fatal bool) {
	before := len(d.errs)
	line := 0
	blockParent := -1 // indentation of the line that opened a block scalar, or -1
	for len(data) > 0 {
		line++
		var text []byte
		text, data = nextLine(data)
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\uFEFF"))
		}
		// Characters YAML forbids.
		col := 0
		for i, r := range string(text) {
			col++
			if why := notText(text[i:], r); why != "" {
				// A binary file is one error, not one per odd byte.
				d.errs = d.errs[:before]
				d.errs.Add(d.at(line, col), "not a text file ("+why+")")
				return nil, true
			}
			if !printable(r) {
				d.errs.Add(d.at(line, col), fmt.Sprintf("character %U is not allowed in YAML", r))
				fatal = true
			}
		}
		// Indentation.
		indent := 0
		for indent < len(text) && (text[indent] == ' ' || text[indent] == '\t') {
			indent++
		}
		rest := text[indent:]
		if len(rest) == 0 {
			continue // blank lines may hold tabs
		}
		spaces := bytes.IndexByte(text[:indent], '\t')
		if spaces < 0 {
			spaces = indent
		}
		if blockParent >= 0 {
			if spaces > blockParent {
				continue // block scalar content: tabs are text
			}
			blockParent = -1
		}
		if tab := bytes.IndexByte(text[:indent], '\t'); tab >= 0 && rest[0] != '#' {
			d.errs.Add(d.at(line, tab+1), "tab character in indentation; YAML needs spaces")
			tabLines = append(tabLines, line)
		}
		if opensBlockScalar(rest) {
			blockParent = spaces
		}
	}
	return tabLines, fatal
}

// notText says why the character r that starts b makes a file binary (a
// NUL byte, a byte that is not UTF-8), or "".
func notText(b []byte, r rune) string {
	switch {
	case r == 0:
		return "a NUL byte"
	case r == utf8.RuneError:
		if _, size := utf8.DecodeRune(b); size == 1 {
			return fmt.Sprintf("byte 0x%02X is not UTF-8", b[0])
		}
	}
	return ""
}

var blockScalarRE = regexp.MustCompile(`(^|\s)[|>][0-9+-]{0,2}(\s+#.*)?\s*$`)

// opensBlockScalar reports whether a line's content ends with a block scalar
// header ("key: |", "- >-", "|2").
func opensBlockScalar(rest []byte) bool {
	if i := bytes.LastIndexAny(rest, "|>"); i < 0 {
		return false
	}
	return blockScalarRE.Match(rest)
}

// printable reports whether YAML 1.2 allows r in a stream.
func printable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r >= 0x20 && r <= 0x7E:
		return true
	case r == 0x85 || (r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD):
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// checkDuplicates reports a key that appears twice in one mapping, citing
// both positions. It does not follow aliases (their targets are checked
// where they are written).
func checkDuplicates(d *decoder, n *yaml.Node) {
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 20_000 {
			return
		}
		if n.Kind == yaml.MappingNode {
			checkMappingDuplicates(d, n)
		}
		if n.Kind == yaml.AliasNode {
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
}

func checkMappingDuplicates(d *decoder, n *yaml.Node) {
	isKey := func(k *yaml.Node) bool { return k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" }
	if len(n.Content) <= 32 { // small: compare pairwise, no allocation
		for i := 2; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !isKey(k) {
				continue
			}
			for j := 0; j < i; j += 2 {
				if prev := n.Content[j]; isKey(prev) && prev.Value == k.Value {
					d.errorf(k, "duplicate key %q (first defined at %s)", k.Value, d.pos(prev))
					break
				}
			}
		}
		return
	}
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !isKey(k) {
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, "duplicate key %q (first defined at %s)", k.Value, d.pos(prev))
			continue
		}
		seen[k.Value] = k
	}
}

// nextLine splits data at its first line break as YAML counts them (CR LF,
// CR, LF, NEL, LS, PS), returning the line without the break and the rest.
func nextLine(data []byte) (line, rest []byte) {
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '\n':
			return data[:i], data[i+1:]
		case c == '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				return data[:i], data[i+2:]
			}
			return data[:i], data[i+1:]
		case c == 0xC2 && i+1 < len(data) && data[i+1] == 0x85: // NEL
			return data[:i], data[i+2:]
		case c == 0xE2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9): // LS, PS
			return data[:i], data[i+3:]
		}
	}
	return data, nil
}

// TraceRef is a `workload: - trace: FILE` entry: a CloudTrail file or
// folder, relative to the scenario file.
type TraceRef struct {
	Path string
	Pos  model.Pos
}

// TracePaths returns sc's trace paths, each relative to the scenario
// file's folder unless absolute.
func (sc *Scenario) TracePaths() []string {
	var out []string
	for _, t := range sc.Traces {
		out = append(out, inDir(filepath.Dir(sc.File), t.Path))
	}
	return out
}
