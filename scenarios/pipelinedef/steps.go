package pipelinedef

import (
	"regexp"
	"strings"
	"time"

	"github.com/pipeshare/pipeshare/sim"
)

// This file holds what SageMaker pipelines allow of steps, shared by
// definitions and the scenario format's steps: entries (package scenarios):
// names, types, instance types, retry policies and their defaults.

// Defaults and limits of a step's retry policies and failures, as AWS's
// RetryPolicies.
const (
	DefaultRetryInterval    = sim.Time(time.Second)
	DefaultRetryBackoff     = 2.0
	DefaultRetryAttempts    = 5
	MaxRetryAttempts        = 20
	DefaultFailureException = "SageMaker.JOB_INTERNAL_ERROR"
	// MaxSteps bounds a pipeline's steps (AWS's own limit is unconfirmed;
	// this one keeps step indexes small in sim).
	MaxSteps = 10_000
)

// StepTypes are the known step types. Callers must not modify it.
var StepTypes = []string{"Processing", "Training", "Tuning", "Transform", "CreateModel", "Model",
	"RegisterModel", "Condition", "Fail", "Callback", "Lambda", "ClarifyCheck", "QualityCheck",
	"EMR", "EMRServerless", "AutoML"}

// InstanceStepTypes are the step types that run on instances and so need
// an instance type. Callers must not modify it.
var InstanceStepTypes = []string{"Processing", "Training", "Tuning", "Transform"}

// ExceptionTypes are the exception names of retry policies, also the ways
// a step can fail. Callers must not modify it.
var ExceptionTypes = []string{"Step.SERVICE_FAULT", "Step.THROTTLING", "SageMaker.JOB_INTERNAL_ERROR",
	"SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT"}

var (
	nameRE         = regexp.MustCompile(`^[A-Za-z0-9\-_]{1,64}$`)
	instanceTypeRE = regexp.MustCompile(`^ml\.[a-z][a-z0-9-]*\.[a-z0-9-]+$`)
)

// ValidName reports whether s is a valid step or parameter name: AWS's
// pattern ^[A-Za-z0-9\-_]{1,64}$.
func ValidName(s string) bool { return nameRE.MatchString(s) }

// ValidInstanceType reports whether s has the shape of a SageMaker
// instance type, ml.<family>.<size>.
func ValidInstanceType(s string) bool { return instanceTypeRE.MatchString(s) }

// orList formats "a, b or c" (values has two entries or more).
func orList(values []string) string {
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}
