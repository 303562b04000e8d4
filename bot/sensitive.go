package bot

import (
	"slices"

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
	switch answer(s) {
	case "同意", "好", "好的", "可以", "是", "行", "1", "嗯":
		d.SensitiveAgreed = union(d.SensitiveAgreed, codes)
		d.SensitiveRefused = slices.DeleteFunc(d.SensitiveRefused, func(c string) bool { return slices.Contains(codes, c) })
	case "不同意", "不", "不要", "拒绝", "2", "不提供":
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
