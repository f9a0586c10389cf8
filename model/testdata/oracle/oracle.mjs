// oracle.mjs: the Node side of model/oracle_test.go (go test -tags oracle).
//
// It reads JSON Lines from stdin, one case a line:
//   {"id": N, "simulation": <a Simulation of @cloud-copilot/iam-simulate>}
// and writes one JSON line per case to stdout, in input order:
//   {"id": N, "result": "Allowed"|"ExplicitlyDenied"|"ImplicitlyDenied",
//    "sameAccount": bool, "identity": R, "boundary": R|"", "scp": R, "rcp": R,
//    "resource": R, "blockedBy": [...], "ignored": [...]}
// or {"id": N, "error": ...} when the library rejects the case. Every case of
// a run goes through this one process. The library is an external program
// here (AGPL): it is installed by `npm ci` from package-lock.json and only
// called, never copied.
import { runSimulation } from '@cloud-copilot/iam-simulate'
import { createInterface } from 'node:readline'

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  if (line.trim() === '') continue
  const c = JSON.parse(line)
  let out
  try {
    const r = await runSimulation(c.simulation, { simulationMode: 'Strict' })
    if (r.resultType === 'error') {
      out = { id: c.id, error: r.errors }
    } else if (r.resultType !== 'single') {
      out = { id: c.id, error: `unexpected resultType ${r.resultType} (a wildcard in the request resource?)` }
    } else {
      const a = r.result.analysis
      out = {
        id: c.id,
        result: r.overallResult,
        sameAccount: a.sameAccount,
        identity: a.identityAnalysis?.result ?? '',
        boundary: a.permissionBoundaryAnalysis?.result ?? '',
        scp: a.scpAnalysis?.result ?? '',
        rcp: a.rcpAnalysis?.result ?? '',
        resource: a.resourceAnalysis?.result ?? '',
        blockedBy: a.blockedBy ?? [],
        ignored: r.result.ignoredContextKeys ?? []
      }
    }
  } catch (e) {
    out = { id: c.id, error: String(e?.stack ?? e) }
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}
