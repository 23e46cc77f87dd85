package slack

import (
	"context"

	slackgo "github.com/slack-go/slack"
)

// The optional "what was wrong" form a 👎 opens.
const (
	reasonCallbackID = "policybot_vote_reason"
	reasonBlockID    = "reason"
	reasonActionID   = "text"
	// reasonMaxChars matches insights.MaxReasonRunes.
	reasonMaxChars = 500
)

// reasonView is the modal: one optional text field; its private metadata
// carries the answer's feedback reference back to us.
func reasonView(ref string) slackgo.ModalViewRequest {
	plain := func(s string) *slackgo.TextBlockObject {
		return slackgo.NewTextBlockObject(slackgo.PlainTextType, s, false, false)
	}
	input := slackgo.NewPlainTextInputBlockElement(plain("e.g. it quoted the wrong principle"), reasonActionID).
		WithMultiline(true).WithMaxLength(reasonMaxChars)
	block := slackgo.NewInputBlock(reasonBlockID, plain("What was wrong with the answer? (optional)"), nil, input)
	block.Optional = true
	return slackgo.ModalViewRequest{
		Type:            slackgo.VTModal,
		CallbackID:      reasonCallbackID,
		PrivateMetadata: ref,
		Title:           plain("Thanks for the 👎"),
		Submit:          plain("Send"),
		Close:           plain("Skip"),
		Blocks:          slackgo.Blocks{BlockSet: []slackgo.Block{block}},
	}
}

// askReason opens the form for a 👎. Slack's trigger is valid for three
// seconds after the click; if the form cannot open, the vote stands.
func (a *Adapter) askReason(ctx context.Context, in interaction, ref string) {
	if _, err := a.api.OpenViewContext(ctx, in.TriggerID, reasonView(ref)); err != nil {
		a.log.Warn("slack: could not open the 'what was wrong' form; the 👎 is recorded", "channel", in.channelID(), "reason", err)
	}
}

// reason records what the form said. The submission has been
// acknowledged (an empty 200 closes the form).
func (a *Adapter) reason(ctx context.Context, in interaction) {
	text := in.View.State.Values[reasonBlockID][reasonActionID].Value
	if a.o.Feedback == nil || text == "" || in.View.PrivateMetadata == "" || in.User.ID == "" {
		return
	}
	if err := a.o.Feedback.Reason(ctx, Platform, in.View.PrivateMetadata, in.User.ID, text); err != nil {
		a.log.Error("slack: could not record what was wrong with an answer", "reason", err)
	}
}
