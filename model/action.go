package model

import (
	"math/bits"
	"strings"
)

// Action is one of the ten SageMaker pipeline actions in scope. Actions are
// numbered from 0 so they index arrays; [NumActions] is the count.
type Action uint8

// The actions of the extended managed permission. The first seven are the
// read-only permission's (docs/aws-semantics.md#managed-permissions).
const (
	DescribePipeline Action = iota
	DescribePipelineDefinitionForExecution
	DescribePipelineExecution
	ListPipelineExecutions
	ListPipelineExecutionSteps
	ListPipelineParametersForExecution
	Search
	StartPipelineExecution
	StopPipelineExecution
	RetryPipelineExecution

	NumActions = 10
)

var actionNames = [NumActions]string{
	"DescribePipeline",
	"DescribePipelineDefinitionForExecution",
	"DescribePipelineExecution",
	"ListPipelineExecutions",
	"ListPipelineExecutionSteps",
	"ListPipelineParametersForExecution",
	"Search",
	"StartPipelineExecution",
	"StopPipelineExecution",
	"RetryPipelineExecution",
}

// Name returns the bare API name, e.g. "StartPipelineExecution".
func (a Action) Name() string {
	if a >= NumActions {
		return "Invalid"
	}
	return actionNames[a]
}

// String returns the IAM action name, e.g. "sagemaker:StartPipelineExecution".
func (a Action) String() string { return "sagemaker:" + a.Name() }

// ParseAction parses an action name with or without the "sagemaker:" prefix,
// in any case.
func ParseAction(s string) (Action, bool) {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if !strings.EqualFold(s[:i], "sagemaker") {
			return 0, false
		}
		s = s[i+1:]
	}
	for a, n := range actionNames {
		if strings.EqualFold(n, s) {
			return Action(a), true
		}
	}
	return 0, false
}

// ResourceKind is the resource type an action is authorized against
// (docs/aws-semantics.md#action-resource-types).
type ResourceKind uint8

const (
	// ResourceAny is "*": only Search, whose identity side matches Resource "*".
	ResourceAny ResourceKind = iota + 1
	// ResourcePipeline is the pipeline ARN.
	ResourcePipeline
	// ResourceExecution is an execution ARN (or, with a pipeline target,
	// the literal ".../execution/*").
	ResourceExecution
)

// Resource returns the resource kind a is authorized against.
func (a Action) Resource() ResourceKind {
	switch a {
	case DescribePipeline, ListPipelineExecutions, StartPipelineExecution:
		return ResourcePipeline
	case Search:
		return ResourceAny
	default:
		return ResourceExecution
	}
}

// ActionSet is a set of actions, one bit per [Action].
type ActionSet uint16

// AllActions holds the ten actions.
const AllActions ActionSet = 1<<NumActions - 1

// Has reports whether a is in s.
func (s ActionSet) Has(a Action) bool { return s&(1<<a) != 0 }

// With returns s with a added.
func (s ActionSet) With(a Action) ActionSet { return s | 1<<a }

// Len returns the number of actions in s.
func (s ActionSet) Len() int { return bits.OnesCount16(uint16(s)) }

// Actions returns the members of s in Action order.
func (s ActionSet) Actions() []Action {
	out := make([]Action, 0, s.Len())
	for a := range Action(NumActions) {
		if s.Has(a) {
			out = append(out, a)
		}
	}
	return out
}
