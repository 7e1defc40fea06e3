package align

import (
	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// The model each stage trains, which RunStage saves as the run's model.

func (s *SFTStage) trained() (*transformer.Model, *train.AdamW)    { return s.m, s.opt.AdamW }
func (s *RewardStage) trained() (*transformer.Model, *train.AdamW) { return s.rm.Model, s.opt.AdamW }
func (s *DPOStage) trained() (*transformer.Model, *train.AdamW)    { return s.m, s.opt.AdamW }
func (s *rlStage) trained() (*transformer.Model, *train.AdamW)     { return s.policy, s.opt.AdamW }
