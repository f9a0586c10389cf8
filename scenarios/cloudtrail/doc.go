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
// # The record rule
//
// A record is a call when all of these hold; otherwise it is skipped and
// counted in [Stats].Skipped under the reason in brackets:
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
// [Options].AddUnknownAccounts, their accounts). [Trace.Source] then
// streams the calls into the world as a [sim.TraceSource], skipping the
// ones the world cannot place [unknown_account, unknown_principal,
// unknown_pipeline] and, without [Options].Align, those before its start
// [before_start]. A Search that names no pipeline goes to the caller's
// account's first pipeline.
package cloudtrail
