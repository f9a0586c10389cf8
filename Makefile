# The differential oracle: the permission model against the npm package
# @cloud-copilot/iam-simulate, run as an external Node program (needs node
# and npm on PATH; see model/oracle_test.go). ORACLE_CASES=1000 for a quick run.
ORACLE_CASES ?= 10000

.PHONY: oracle
oracle:
	go test -tags oracle -run TestOracle -count=1 ./model -oracle.cases=$(ORACLE_CASES)
