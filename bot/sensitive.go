package bot

import (
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"jiefen/dispute"
	"jiefen/store"

	"jiefen/catalog"
	"jiefen/personal"
	"jiefen/workflow"
)

// The separate consent for sensitive personal information (个人信息保护法
// arts. 28–30): when the story tells of health, a child under 14, bank
// accounts, whereabouts, religion, biometrics or an ID number, the citizen
// is asked, before the case goes to its body, whether those details may be
// kept and passed on: what kind, why, who receives them, and what happens
// if not. Declined details leave the story; the rest is filed as usual. A
// story without any such detail gets no extra question.

// consented reports whether the citizen accepted the current notice: an
// acceptance of an earlier version is asked again.
func (t *turn) consented() bool {
	return !t.cit.ConsentAt.IsZero() && t.cit.ConsentVersion == catalog.NoticeVersion
}

// sensitivePending lists the kinds of sensitive information in the draft's
// story that the citizen has not agreed to pass on: not asked yet, or
// declined and then written again.
func (t *turn) sensitivePending() []personal.Kind {
	var out []personal.Kind
	for _, k := range personal.Sensitive(t.dlg.Draft.Story) {
		if !slices.Contains(t.dlg.Draft.SensitiveAgreed, string(k)) {
			out = append(out, k)
		}
	}
	return out
}

// askSensitive asks the separate consent, naming the body that would
// receive the details.
func (t *turn) askSensitive(kinds []personal.Kind) {
	d := t.dlg.Draft
	body := "处理您案件的调解组织或部门"
	if dec, err := t.b.Cases.Route(d.Type, d.Region, d.Urgent, d.Confidence); err == nil {
		body = dec.Body.Name
	}
	t.setStep(stepSensitive)
	t.say(askSensitive(kinds, body))
}

func (t *turn) answerSensitive(s string) error {
	kinds := t.sensitivePending()
	if len(kinds) == 0 {
		return t.next()
	}
	d := &t.dlg.Draft
	codes := make([]string, len(kinds))
	for i, k := range kinds {
		codes[i] = string(k)
	}
	switch agreed, ok := consentAnswer(s); {
	case ok && agreed:
		d.SensitiveAgreed = union(d.SensitiveAgreed, codes)
		d.SensitiveRefused = slices.DeleteFunc(d.SensitiveRefused, func(c string) bool { return slices.Contains(codes, c) })
	case ok:
		d.SensitiveRefused = union(d.SensitiveRefused, codes)
		// Declined: those details are neither kept nor passed on, and the
		// summary made from the whole story goes with them.
		d.Story = personal.Without(d.Story, kinds)
		if d.Story == "" {
			d.Story = txtSensitiveAllDeclined
		}
		d.Summary, d.SummaryAI = "", false
		t.say(sensitiveDeclined(kinds))
	default:
		if !t.keepContact(s, false) && len([]rune(s)) >= 8 {
			t.more(s)
		}
		t.say(askSensitiveAgain(t.sensitivePending()))
		return nil
	}
	d.SensitiveAt, d.SensitiveVersion = t.now, catalog.NoticeVersion
	t.dlgChanged = true
	return t.next()
}

// consents are the citizen's answers to the notices, recorded with the case.
func (t *turn) consents() []workflow.Consent {
	var out []workflow.Consent
	if !t.cit.ConsentAt.IsZero() {
		out = append(out, workflow.Consent{Agreed: true, Version: t.cit.ConsentVersion, At: t.cit.ConsentAt})
	}
	d := t.dlg.Draft
	for _, c := range []struct {
		codes  []string
		agreed bool
	}{{d.SensitiveAgreed, true}, {d.SensitiveRefused, false}} {
		if len(c.codes) == 0 {
			continue
		}
		kinds := make([]personal.Kind, len(c.codes))
		for i, code := range c.codes {
			kinds[i] = personal.Kind(code)
		}
		out = append(out, workflow.Consent{Sensitive: kinds, Agreed: c.agreed, Version: d.SensitiveVersion, At: d.SensitiveAt})
	}
	return out
}

// union is a with the codes of b it lacks, in personal.Kinds order.
func union(a, b []string) []string {
	var out []string
	for _, k := range personal.Kinds {
		if slices.Contains(a, string(k)) || slices.Contains(b, string(k)) {
			out = append(out, string(k))
		}
	}
	return out
}

// consentAnswer reads a yes or a no to a consent question; ok is false
// for anything else.
func consentAnswer(s string) (agreed, ok bool) {
	switch answer(s) {
	case "同意", "好", "好的", "可以", "是", "行", "1", "嗯":
		return true, true
	case "不同意", "不", "不要", "拒绝", "2", "不提供":
		return false, true
	}
	return false, false
}

// After filing, a message that tells sensitive information the citizen
// has not agreed to pass on to the case's body (a later word about an
// injury, a child, a bank account) is held before it reaches the thread,
// and the separate consent is asked as at intake: art. 29 asks it before
// the information is passed on. Agreed, the message joins the thread and
// the consent is recorded; declined, the message joins without those
// details. An urgent case is not held: safety comes first, as at intake.

// holdSensitive holds s, meant for case c, when it needs the consent;
// held reports whether it did (and asked).
func (t *turn) holdSensitive(c dispute.Case, s string) (held bool, err error) {
	kinds := personal.Sensitive(s)
	if len(kinds) == 0 || c.Urgent {
		return false, nil
	}
	if kinds, err = t.notAgreed(c.ID, kinds); err != nil || len(kinds) == 0 {
		return false, err
	}
	t.dlg.Draft.Held, t.dlg.Draft.Target = s, c.ID
	t.setStep(stepHeld)
	t.caseID = c.ID
	t.say(askSensitiveLater(c.ID, kinds, t.bodyName(c.Body)))
	return true, nil
}

// notAgreed is kinds without those the citizen agreed to pass on to the
// body of case caseID.
func (t *turn) notAgreed(caseID string, kinds []personal.Kind) ([]personal.Kind, error) {
	agreed, err := t.b.Cases.SensitiveAgreed(t.ctx, caseID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(kinds, func(k personal.Kind) bool { return slices.Contains(agreed, k) }), nil
}

// answerHeld takes the answer about a held message.
func (t *turn) answerHeld(s string) error {
	d := &t.dlg.Draft
	c, err := t.b.Store.Case(t.ctx, d.Target)
	if errors.Is(err, store.ErrNotFound) {
		t.resetDialog()
		t.say(txtHelp)
		return nil
	}
	if err != nil {
		return err
	}
	held := d.Held
	kinds, err := t.notAgreed(c.ID, personal.Sensitive(held))
	if err != nil {
		return err
	}
	agreed, ok := consentAnswer(s)
	if !ok && len(kinds) > 0 {
		if utf8.RuneCountInString(s) >= 8 {
			// More words about it: they wait with the rest.
			d.Held += "\n" + s
			t.dlgChanged = true
		}
		t.say(askSensitiveAgain(kinds))
		return nil
	}
	t.resetDialog()
	if len(kinds) > 0 {
		t.b.Cases.CitizenConsents(&t.ch, c, workflow.Consent{Sensitive: kinds, Agreed: agreed, Version: catalog.NoticeVersion, At: t.now})
	}
	if !agreed && len(kinds) > 0 {
		t.caseID = c.ID
		t.say(sensitiveDeclinedLater(kinds))
		if rest := strings.TrimSpace(personal.Without(held, kinds)); rest != "" {
			t.b.Cases.CitizenWrote(&t.ch, c, t.said(rest), t.now)
		}
		return nil
	}
	return t.passOn(c, held)
}
