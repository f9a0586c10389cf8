// Package cloudtrail reads and writes AWS CloudTrail records of SageMaker
// pipeline calls. It is pipeshare's one CloudTrail reader: `run --trace`
// replays a trace through it ([Trace.Prepare], [Trace.Source]) and
// `import cloudtrail` summarizes one ([Trace.Calls]), so both take the
// same calls from the same records. [CallWriter] writes a run's calls in
// CloudTrail's shape (`run --calls`); replaying that output reproduces
// them.
//
// # Files
//
// [Open] takes files and folders. A file holds one event,
// {"Records": [...]} as CloudTrail delivers it, a JSON array or JSON
// Lines, each possibly gzip-compressed; a folder is walked for *.json,
// *.jsonl and *.gz files (CloudTrail-Digest folders and dot files are
// left out), as in CloudTrail's S3 delivery layout
// AWSLogs/ACCT/CloudTrail/REGION/YYYY/MM/DD/ACCT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz.
// The files are streamed, never loaded whole: a file whose name carries the
// delivery stamp (YYYYMMDDTHHMMZ) is opened one hour of event time before
// it, other files at once; each file's records are put back in order
// within 15 minutes (and at most 32768 records), and the files are
// merged by eventTime. A scanner picks the fields below out of each record
// without decoding the rest.
//
// A file that cannot be read to its end ends every read of the trace, with
// or without [Options].Strict, with an error that names it ("FILE: after
// record N: ..."): a truncated or corrupt gzip stream, one over the ratio
// cap (see Limits), a read error, or binary data (a NUL byte where JSON
// text needs a token; CloudTrail writes UTF-8 JSON).
//
// # The record rule
//
// A record is a call when all of these hold; otherwise it is skipped and
// counted in [Stats].Skipped under the reason in brackets. A part of a file
// that is no record (a line that is not JSON, a record cut by the end of
// the file, a record over 1 MiB) counts as one malformed record:
//
//   - eventSource is sagemaker.amazonaws.com and eventName one of the ten
//     pipeline actions of [model.Action] [other_event];
//   - eventTime is an RFC 3339 time from 1970 to 2262-04-11, the span of
//     int64 nanoseconds [malformed];
//   - userIdentity names an IAM principal [unsupported_identity, or
//     malformed when its ARN does not parse]. Type Root is the account's
//     root user (accountId, else the account of arn); IAMUser is the user
//     of arn; AssumedRole is the role that issued the session,
//     sessionContext.sessionIssuer.arn (which keeps the role's path), else
//     the role of the assumed-role arn. Every other type is not a
//     principal a scenario can hold and is unsupported_identity: AWSService
//     (a service principal such as events.amazonaws.com calling on its
//     own), FederatedUser, AWSAccount, IdentityCenterUser and the rest;
//   - it names its pipeline [no_target, or malformed when the reference is
//     not a pipeline ARN or name]: requestParameters.pipelineExecutionArn,
//     else pipelineArn, else pipelineName (an ARN, or a bare name of
//     recipientAccountId's account, else of the caller's), else, for a
//     Search, the PipelineArn filter of its searchExpression. A Search may
//     name none. ARNs are read in any case; names are compared in lower
//     case.
//
// The rule reads the record alone, never a scenario.
//
// # Copies
//
// CloudTrail can deliver one call more than once: a cross-account call
// goes to the caller's account and to the pipeline owner's with one
// sharedEventID, and a trace may hold one file twice (a folder and a copy,
// a file and its .gz). Records with the same sharedEventID, else the same
// requestID, are copies of one call: the first in eventTime order (then
// in reading order) is the call, the others are counted as duplicate.
// Copies are looked for within 15 minutes after the call (and among the
// last 32768 calls), so that memory stays bounded on any trace; a copy
// later than that counts as a call again. Records with neither ID are
// never copies.
//
// # Replay
//
// [Trace.Prepare] reads the calls once, before the world is built, and
// adds the callers a scenario lacks with an allow-all identity (and, with
// [Options].AddUnknownAccounts, their accounts). It keeps what the replay
// takes in a spool: the calls as it mapped them (about 16 bytes a call of
// W1's mix), and what the replay counts and reports of the other records,
// in memory up to 1 MiB, past that in a temporary file of [os.TempDir]
// that is removed from its folder as soon as it is created (so nothing is
// left behind, however the process ends) and lives while it is open.
// [Trace.Source] then reads the spool back, without decompressing or
// scanning the trace again, and streams the calls into the world as a
// [sim.TraceSource], skipping the
// ones the world cannot place [unknown_account, unknown_principal,
// unknown_pipeline] and, without [Options].Align, those before its start
// [before_start]. A Search that names no pipeline goes to the caller's
// account's first pipeline. Once the run has ended, [Replay.Finish] reads
// the rest of the trace: the calls the run did not replay are [past_end],
// the other records count under their reasons. [Replay.Close] closes the
// spool, and [Trace.Close] one that no replay took.
//
// So every record read counts once, as a call or under one reason:
// [Stats].Records is [Stats].Calls plus the sum of [Stats].Skipped, for a
// finished replay as for [Trace.Calls].
//
// # Limits
//
// A trace is untrusted input (CI replays the traces of pull requests), so
// a read holds bounded memory whatever the trace:
//
//   - A record is at most 1 MiB. CloudTrail's own limit is 256 KB an
//     event (AWS CloudTrail User Guide, "Quotas in AWS CloudTrail", event
//     size). A longer record is skipped unread, as malformed (fatal to a
//     replay with Strict).
//   - A gzip file decompresses to at most 1 MiB plus 100 times its
//     compressed bytes, all its members together; past that it is damaged
//     (a gzip bomb). CloudTrail's files compress about 10:1.
//   - Each open file's window holds the calls of 15 minutes and at most
//     32768 of them; the windows of all open files together hold at most
//     256 MiB of records, past which each file holds one call. Copies
//     are looked for within 15 minutes and the last 32768 calls. These
//     windows are the same for a replay and for [Trace.Calls].
//   - At most 65,536 distinct callers, pipelines and regions, of up to
//     1 KiB each, are remembered; the others are mapped record by record.
//   - [Trace.Prepare] counts the records naming each execution, by a
//     32-bit hash of its ID, in at most 2^21 counts (16 MiB; past that the
//     hashes lose bits and IDs share counts), so that a replay can forget
//     an execution after the last record naming it; the replay drops the
//     counts it has brought to 0, so the table shrinks as it goes.
//   - The first 20 malformed records are described (their values quoted up
//     to 100 bytes), the others counted; [Stats].OtherEvents and
//     [Stats].Identities keep at most 100 keys.
//
// Memory then grows with the files open at once (all the files without a
// delivery stamp, and those whose stamp is within the hour), not with the
// records. A replay reads its spool file through a 32 KiB buffer.
package cloudtrail
