#!/usr/bin/env python3
"""Regenerates the CloudTrail replay corpus (see README.md). Deterministic."""
import gzip, json, os, shutil

OWNER, RESEARCH = "111111111111", "222222222222"
REGION = "us-east-1"
PIPE = f"arn:aws:sagemaker:{REGION}:{OWNER}:pipeline/churn-training"

def ident_role(acct, role, session, n):
    return {"type": "AssumedRole", "principalId": f"AROAEXAMPLE{acct[:4]}{role[:4].upper()}:{session}",
            "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}", "accountId": acct,
            "accessKeyId": f"ASIAEXAMPLE{n:08d}",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": f"AROAEXAMPLE{acct[:4]}{role[:4].upper()}",
                                                 "arn": f"arn:aws:iam::{acct}:role/{role}", "accountId": acct, "userName": role},
                               "attributes": {"creationDate": "2025-10-27T00:00:00Z", "mfaAuthenticated": "false"}}}

def ident_user(acct, user, n):
    return {"type": "IAMUser", "principalId": f"AIDAEXAMPLE{n:08d}", "arn": f"arn:aws:iam::{acct}:user/{user}",
            "accountId": acct, "accessKeyId": f"AKIAEXAMPLE{n:08d}", "userName": user}

def rec(n, t, name, ident, params, resp=None, err=None, recipient=None, shared=None, source="sagemaker.amazonaws.com"):
    r = {"eventVersion": "1.11", "userIdentity": ident, "eventTime": t, "eventSource": source, "eventName": name,
         "awsRegion": REGION, "sourceIPAddress": "203.0.113.%d" % (10 + n % 200),
         "userAgent": "Boto3/1.40.55 md/Botocore#1.40.55 ua/2.1 os/linux#6.1 lang/python#3.12.11",
         "requestParameters": params, "responseElements": resp,
         "requestID": "0b6a0c2e-%04d-4b5e-9d7c-5f2e8a1d%04d" % (n, n), "eventID": "7c1e2f3a-%04d-4d5e-8f90-a1b2c3d4%04d" % (n, n),
         "readOnly": name.startswith(("Describe", "List", "Search")), "eventType": "AwsApiCall", "managementEvent": True,
         "recipientAccountId": recipient or ident["accountId"], "eventCategory": "Management",
         "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                        "clientProvidedHostHeader": f"api.sagemaker.{REGION}.amazonaws.com"}}
    if err:
        r["errorCode"] = err
        r["errorMessage"] = (f"User: {ident['arn']} is not authorized to perform: sagemaker:{name} on resource: {PIPE} "
                             f"because no identity-based policy allows the sagemaker:{name} action")
        r["responseElements"] = None
    if shared:
        r["sharedEventID"] = shared
    return r

def start(n, t, ident, execid, err=None, recipient=None, shared=None, by_arn=True):
    params = {"pipelineName": PIPE if by_arn else "churn-training", "clientRequestToken": "tok-%04d" % n,
              "pipelineParameters": [{"name": "TrainInstanceType", "value": "ml.g5.xlarge"}]}
    resp = {"pipelineExecutionArn": f"{PIPE}/execution/{execid}"}
    return rec(n, t, "StartPipelineExecution", ident, params, resp, err, recipient, shared)

def on_exec(n, t, name, ident, execid, err=None):
    params = {"pipelineExecutionArn": f"{PIPE}/execution/{execid}"}
    if name in ("StopPipelineExecution", "RetryPipelineExecution"):
        params["clientRequestToken"] = "tok-%04d" % n
    return rec(n, t, name, ident, params, None, err)

ds = lambda n: ident_role(RESEARCH, "DataScientist", "botocore-session-%d" % n, n)
ci = lambda n: ident_user(OWNER, "mlops-ci", n)
analyst = lambda n: ident_role(RESEARCH, "Analyst", "analyst-%d" % n, n)   # not in the scenario
stranger = lambda n: ident_role("444444444444", "Auditor", "audit-%d" % n, n)  # unknown account

def dump(path, records, mode):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if mode == "records":
        data = json.dumps({"Records": records}, separators=(",", ":")) + "\n"
    elif mode == "jsonl":
        data = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)
    else:
        data = json.dumps(records[0], indent=4) + "\n"
    if path.endswith(".gz"):
        with open(path, "wb") as f:
            f.write(gzip.compress(data.encode(), mtime=0))
    else:
        with open(path, "w") as f:
            f.write(data)

# single-event.json: one event, pretty-printed as in the AWS documentation.
dump("single-event.json", [start(1, "2025-10-27T01:00:00Z", ci(1), "a1b2c3d4e5f6")], "single")

# records.json: CloudTrail's delivery format, with events that are not pipeline calls.
other = [
    rec(2, "2025-10-27T00:00:52Z", "ListNotebookInstances", ds(2), {"statusEquals": "InService"}),
    rec(3, "2025-10-27T00:01:10Z", "CreateResourceShare", ci(3), {"name": "churn-to-research"},
        {"resourceShare": {"allowExternalPrincipals": False, "name": "churn-to-research", "owningAccountId": OWNER,
                           "resourceShareArn": f"arn:aws:ram:{REGION}:{OWNER}:resource-share/27d09b4b-5e12-41d1-a4f2-19dedEXAMPLE",
                           "status": "ACTIVE"}}, source="ram.amazonaws.com"),
]
main = [
    start(10, "2025-10-27T02:00:00Z", ds(10), "exec000000a1", recipient=RESEARCH),
    on_exec(11, "2025-10-27T02:05:00Z", "DescribePipelineExecution", ds(11), "exec000000a1"),
    rec(12, "2025-10-27T02:06:00Z", "DescribePipeline", ds(12), {"pipelineName": PIPE}),
    rec(13, "2025-10-27T02:07:00Z", "ListPipelineExecutions", ci(13), {"pipelineName": "churn-training", "sortOrder": "Descending"}),
    on_exec(14, "2025-10-27T02:10:00Z", "StopPipelineExecution", ds(14), "exec000000a1", err="AccessDeniedException"),
    start(15, "2025-10-27T03:00:00Z", ci(15), "exec000000b2", by_arn=False),
    on_exec(16, "2025-10-27T03:30:00Z", "StopPipelineExecution", ci(16), "exec000000b2"),
    start(17, "2025-10-27T04:00:00Z", analyst(17), "exec000000c3"),
    start(18, "2025-10-27T04:30:00Z", stranger(18), "exec000000d4"),
    rec(19, "2025-10-27T05:00:00Z", "Search", ds(19), {"resource": "Pipeline", "maxResults": 10}),
    on_exec(20, "2025-10-27T05:10:00Z", "RetryPipelineExecution", ds(20), "exec000000zz", err="ResourceNotFound"),
]
dump("records.json", other + main, "records")
dump("calls.jsonl", main, "jsonl")
dump("calls.jsonl.gz", main, "jsonl")

# s3/: the S3 delivery layout, two days and two accounts. A cross-account
# Start appears in both accounts' logs with one sharedEventID.
def s3(acct, day, stamp, uniq, records):
    d = f"s3/AWSLogs/{acct}/CloudTrail/{REGION}/2025/10/{day}"
    dump(f"{d}/{acct}_CloudTrail_{REGION}_{stamp}_{uniq}.json.gz", records, "records")

shutil.rmtree("s3", ignore_errors=True)
sh = "5d1a7d4c-4f0e-4b34-9c3e-0123456789ab"
s3(RESEARCH, 27, "20251027T0210Z", "Ab12Cd34Ef56Gh78", [
    start(30, "2025-10-27T02:00:00Z", ds(30), "exec000000e5", recipient=RESEARCH, shared=sh),
    on_exec(31, "2025-10-27T02:03:00Z", "DescribePipelineExecution", ds(31), "exec000000e5"),
    rec(32, "2025-10-27T02:01:00Z", "ListNotebookInstances", ds(32), {"statusEquals": "InService"}),
])
s3(OWNER, 27, "20251027T0205Z", "Zz98Yy76Xx54Ww32", [
    start(30, "2025-10-27T02:00:00Z", ds(30), "exec000000e5", recipient=OWNER, shared=sh),
    start(33, "2025-10-27T02:02:00Z", ci(33), "exec000000f6", by_arn=False),
])
s3(OWNER, 28, "20251028T0905Z", "Qq11Rr22Ss33Tt44", [
    on_exec(34, "2025-10-28T09:00:00Z", "StopPipelineExecution", ci(34), "exec000000f6"),
    start(35, "2025-10-28T09:01:00Z", ci(35), "exec000000g7", by_arn=False),
])
s3(RESEARCH, 28, "20251028T0915Z", "Uu55Vv66Ww77Xx88", [
    start(36, "2025-10-28T09:10:00Z", ds(36), "exec000000h8", recipient=RESEARCH),
    # out of order inside the file, within the window
    on_exec(37, "2025-10-28T09:04:00Z", "ListPipelineExecutionSteps", ds(37), "exec000000g7"),
])
