// Package importer turns real inputs into a pipeshare scenario (format v1):
// AWS CLI snapshots of an organization ([AWS]), Terraform plan JSON
// ([Terraform]), SageMaker pipeline definitions ([Definition]), CloudTrail
// traces and the AWS Price List offer file of SageMaker ([Prices], read as
// a stream: it is hundreds of MiB). Every importer returns one [Result]:
// the scenario, one header that says what was read, and one list of what
// could not be mapped. [Result.Write] validates the scenario before a byte
// is written, so an import never produces a file that `pipeshare validate`
// rejects.
//
// An importer never opens a file: it is given the input's bytes (or, for a
// snapshot folder, an fs.FS; for a price list, an io.Reader) and the name
// to use in messages. Problems of the input are errors at file:line:col of
// the input (JSON positions as package internal/jsonpos counts them: a
// character is one column; CSV positions likewise), never positions in the
// scenario being written; a scenario that does not validate is an internal
// error of the importer.
package importer
