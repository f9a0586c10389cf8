package scenarios

import (
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// Compiled is a scenario resolved into the permission model and a prepared
// simulation.
type Compiled struct {
	*Scenario
	World *model.World
	Sim   *sim.Sim
	// Warnings holds every warning: the decoder's, the model's and the
	// simulator's, sorted by position.
	Warnings ErrorList
}

// Compile resolves sc's references and builds its World and Sim. Errors from
// the model and the simulator are returned in one [ErrorList], sorted by
// position, with the decoder's warnings. The Sim owns the World: a run
// applies the timeline to it, so compile once per run.
func Compile(sc *Scenario) (*Compiled, error) {
	errs := append(ErrorList(nil), sc.Warnings...)
	w, werrs := model.NewWorld(&sc.Model)
	errs.AddPosErrors(werrs)
	var s *sim.Sim
	if w != nil {
		var serrs []*model.PosError
		s, serrs = sim.New(w, &sc.Sim)
		errs.AddPosErrors(serrs)
	}
	errs.RemoveMultiples()
	errs.CapPerPosition()
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &Compiled{Scenario: sc, World: w, Sim: s, Warnings: errs}, nil
}
