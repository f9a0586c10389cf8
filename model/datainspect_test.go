package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyAccountTrusts(t *testing.T) {
	ref := func(s string) Ref { return Ref{S: s} }
	stmt := func(line int, sid, effect string, who []string, conds ...ConditionDoc) StatementDoc {
		st := StatementDoc{Sid: sid, Effect: ref(effect), Pos: at(line, 11), PrincipalPos: at(line, 20),
			Action: []Ref{ref("kms:Decrypt")}, Resource: []Ref{ref("*")}, Conditions: conds}
		for _, v := range who {
			st.Principals = append(st.Principals, PrincipalDoc{Kind: "AWS", Value: ref(v)})
		}
		return st
	}
	byARN := ConditionDoc{Operator: "ArnEquals", Key: "aws:PrincipalArn", Values: []string{"arn:aws:iam::111111111111:role/Exec"}}
	via := ConditionDoc{Operator: "StringEquals", Key: "kms:ViaService", Values: []string{"s3.us-east-1.amazonaws.com"}}
	w, errs := NewWorld(&Config{Region: "us-east-1",
		Accounts: []AccountConfig{{ID: ref("111111111111")}, {ID: ref("222222222222")}},
		Keys: []KeyConfig{
			{ID: ref("k1"), Account: ref("222222222222"), Policy: &PolicyDoc{Statements: []StatementDoc{
				stmt(1, "Own", "Allow", []string{"222222222222"}),
				stmt(2, "", "Allow", []string{"arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:role/Exec"}, via),
				stmt(3, "Narrowed", "Allow", []string{"111111111111"}, byARN),
				stmt(4, "Role", "Allow", []string{"arn:aws:iam::111111111111:role/Exec"}),
				stmt(5, "NoDeny", "Deny", []string{"111111111111"}),
			}}},
			{ID: ref("k2"), Account: ref("111111111111"), Pos: at(6, 5)}, // AWS's default key policy
		}})
	require.NotNil(t, w, "%v", errs)
	k1, _ := w.LookupKey("k1")
	assert.Equal(t, []AccountTrust{
		{Sid: "Own", Statement: 0, Account: "222222222222", Pos: at(1, 11)},
		{Statement: 1, Account: "111111111111", Pos: at(2, 11)},
		{Sid: "Narrowed", Statement: 2, Account: "111111111111", ByARN: true, Pos: at(3, 11)},
	}, w.KeyAccountTrusts(k1))
	k2, _ := w.LookupKey("k2")
	got := w.KeyAccountTrusts(k2)
	require.Len(t, got, 1, "the default key policy trusts its own account")
	assert.Equal(t, AccountID("111111111111"), got[0].Account)
}
