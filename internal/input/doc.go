// Package input is how pipeshare takes untrusted input: it runs in CI on
// pull requests, so a scenario and every file it names may be hostile.
//
// One bounded reader reads every document (scenario, extends base,
// pipeline definition, waivers, part files, each file an importer reads):
// [ReadFile] reads a document of an fs.FS, [Read] one from a stream such
// as standard input, and [FS] makes fs.ReadFile of an fs.FS use ReadFile.
// A document is a regular file: a device, named pipe or folder is refused
// by name before it is opened ([NotRegularError]). At most a limit of bytes
// is read ([DefaultLimit], 64 MiB, which --max-input raises or lowers),
// and nothing past it: a larger document is a [TooLargeError]. A document
// too large to hold (a price list of hundreds of MiB) is read as a
// [Stream] ([OpenStream], [NewStream]) under the same refusals and limit.
//
// Paths named inside a document (extends, definition, trace) must stay
// under a root folder, the one pipeshare started in or --root: a [Root]
// confines them lexically and after resolving symbolic links, so a link
// cannot lead out ([OutsideError]).
//
// User text quoted in a message is cut to [MaxQuoted] characters with "…"
// ([Cut], [Quote]); [CutQuoted] does the same to the quoted strings of a
// message already written.
package input
