// Package storetest is the contract every store.Store backend is held to.
// A backend's own test calls Run with a Factory; the suite asserts only what
// a caller can observe through the interface, so the same tests hold the
// SQLite store and the Redis store to the same behaviour.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/store"
)

// Factory prepares a fresh, empty backend location (a temporary directory,
// a Redis database …) and returns a function opening a store there. The
// opener may be called again after Close, to check what persisted; it
// fails the test itself when it cannot open.
type Factory func(t *testing.T) (open func() store.Store)

// Run runs the contract suite, each subtest on a fresh backend.
func Run(t *testing.T, f Factory) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newEnv(t, f)) })
	}
}

var tests = []struct {
	name string
	fn   func(*testing.T, *env)
}{
	{"Ping", testPing},
	{"CommitAppliesEveryPart", testCommitAll},
	{"CommitWithoutDedup", testCommitWithoutDedup},
	{"CommitKeepsEveryByte", testCommitKeepsEveryByte},
	{"Due", testDue},
	{"DueRefused", testDueRefused},
	{"CasesWithoutDue", testCasesWithoutDue},
	{"Deadline", testDeadline},
	{"CasesCreated", testCasesCreated},
	{"Threads", testThreads},
	{"DuplicateStoresNothing", testDuplicate},
	{"DuplicateConcurrent", testDuplicateConcurrent},
	{"DedupReply", testDedupReply},
	{"DedupPurge", testPurge},
	{"DedupExpiredKeyIsFree", testDedupExpired},
	{"DedupWithoutTTLHolds", testDedupNoTTL},
	{"DedupNeedsTime", testDedupNeedsTime},
	{"DialogVersion", testDialog},
	{"Conversation", testConversation},
	{"DialogConflictStoresNothing", testDialogConflict},
	{"DialogConcurrent", testDialogConcurrent},
	{"StaleDialogPurged", testStaleDialog},
	{"FailedCommitStoresNothing", testCommitFailure},
	{"CancelledContext", testCancelled},
	{"NextCaseSeq", testNextCaseSeq},
	{"NextCaseSeqConcurrent", testNextCaseSeqConcurrent},
	{"Case", testCase},
	{"CasesFilter", testCases},
	{"Search", testSearch},
	{"SearchOrder", testSearchOrder},
	{"Nonces", testNonces},
	{"Events", testEvents},
	{"MarkUrgent", testMarkUrgent},
	{"Retype", testRetype},
	{"CaseUpdate", testCaseUpdate},
	{"AuditInCommit", testAuditInCommit},
	{"QuickReplies", testQuickReplies},
	{"Citizen", testCitizen},
	{"ReserveSend", testReserveSend},
	{"ReserveSendConcurrent", testReserveSendConcurrent},
	{"CloseWindow", testCloseWindow},
	{"Media", testMedia},
	{"QueueLanes", testQueueLanes},
	{"QueueItems", testQueueItems},
	{"QueueRetry", testQueueRetry},
	{"QueuePersistence", testQueuePersistence},
	{"Outbounds", testOutbounds},
	{"ClaimOnlyDue", testClaimDue},
	{"ClaimOnePerCitizen", testClaimOnePerCitizen},
	{"ClaimNotYetDueDoesNotBlock", testClaimNotYetDue},
	{"ClaimRetryKeepsOrder", testClaimRetryKeepsOrder},
	{"ClaimLease", testClaimLease},
	{"FinishAfterLeaseRanOut", testFinishAfterLeaseRanOut},
	{"ClaimMax", testClaimMax},
	{"ClaimConcurrent", testClaimConcurrent},
	{"FinishOutbound", testFinish},
	{"FinishUnknownOutbound", testFinishUnknown},
	{"ReleaseHeld", testReleaseHeld},
	{"Persistence", testPersistence},
	{"Subscribe", testSubscribe},
	{"Presence", testPresence},
	{"Subscriptions", testSubscriptions},
	{"Users", testUsers},
	{"Sessions", testSessions},
	{"SessionExpiresInRealTime", testSessionExpiresInRealTime},
	{"Tokens", testTokens},
	{"Failures", testFailures},
	{"FailuresConcurrent", testFailuresConcurrent},
	{"Assign", testAssign},
	{"AssignUnknownStoresNothing", testAssignUnknown},
	{"AssignNotice", testAssignNotice},
	{"ConsolePersistence", testConsolePersistence},
	{"Transfer", testTransfer},
	{"TransferThenAssign", testTransferThenAssign},
	{"Video", testVideo},
	{"NewCaseWithVideo", testNewCaseVideo},
	{"EventBody", testEventBody},
	{"TransferVideoUnknownStoresNothing", testTransferVideoUnknown},
	{"TransferVideoNotice", testTransferVideoNotice},
	{"TransferVideoPersistence", testTransferVideoPersistence},
	{"ClaimRace", testClaimRace},
	{"ThreadMark", testThreadMark},
	{"ClaimStoresNothing", testClaimStoresNothing},
	{"StatusFrom", testStatusFrom},
	{"StatusFromRace", testStatusFromRace},
	{"FailuresCount", testFailuresCount},
	{"ReferralEnqueue", testReferralEnqueue},
	{"ReferralRefusedStoresNothing", testReferralRefused},
	{"ReferralList", testReferralList},
	{"ReferralPersistence", testReferralPersistence},
	{"ReferralClaimDue", testReferralClaimDue},
	{"ReferralNotYetDueDoesNotBlock", testReferralNotYetDueDoesNotBlock},
	{"ReferralClaimLease", testReferralClaimLease},
	{"ReferralClaimMax", testReferralClaimMax},
	{"ReferralClaimConcurrent", testReferralClaimConcurrent},
	{"ReferralFinish", testReferralFinish},
	{"ReferralRetry", testReferralRetry},
	{"BodyWebhooks", testBodyWebhooks},
	{"BodyWebhooksConcurrent", testBodyWebhooksConcurrent},
	{"AgreementThread", testAgreementThread},
}

// env is one subtest's store.
type env struct {
	t    *testing.T
	ctx  context.Context
	open func() store.Store
	s    store.Store
}

func newEnv(t *testing.T, f Factory) *env {
	e := &env{t: t, ctx: t.Context(), open: f(t)}
	e.s = e.open()
	t.Cleanup(func() {
		if e.s != nil {
			if err := e.s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}
	})
	return e
}

// reopen closes the store and opens it again on the same location.
func (e *env) reopen() {
	e.t.Helper()
	s := e.s
	e.s = nil
	if err := s.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
	e.s = e.open()
}

func (e *env) commit(c store.Change) {
	e.t.Helper()
	if err := e.s.Commit(e.ctx, c); err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
}

// t0 has a zone other than UTC and nanoseconds below the millisecond, so
// the suite notices a store that loses the instant, or keeps less than
// milliseconds; stores need not keep the zone or the sub-milliseconds. It
// is a Friday morning of the tests' base year (testdate), not the real
// date: a store must take every time as the caller's.
var t0 = testdate.At("w-1 Fri 09:30").Add(15*time.Second + 123456789*time.Nanosecond)

func at(d time.Duration) time.Time { return t0.Add(d) }

// sameTime compares instants to the millisecond.
func sameTime(a, b time.Time) bool {
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}

func mkCase(id, openID string, st dispute.Status, ty dispute.Type, region, body string, created time.Time) dispute.Case {
	return dispute.Case{
		ID: id, Status: st, Type: ty, Urgent: ty == dispute.Labor, Region: region, Body: body,
		Rule: "rule:" + string(ty) + "/" + region, Summary: "摘要 " + id, SummaryAI: ty == dispute.Labor, Story: "我的故事 " + id,
		OpenID: openID, Phone: "13800000000", CreatedAt: created, UpdatedAt: created.Add(time.Minute),
	}
}

func checkCase(t *testing.T, what string, got, want dispute.Case) {
	t.Helper()
	if !sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.UpdatedAt, want.UpdatedAt) {
		t.Errorf("%s: times created %v updated %v, want %v %v", what, got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	if !sameTime(got.VideoAt, want.VideoAt) || got.VideoAt.IsZero() != want.VideoAt.IsZero() {
		t.Errorf("%s: VideoAt %v, want %v", what, got.VideoAt, want.VideoAt)
	}
	got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !sameTime(got.DueAt, want.DueAt) || got.DueAt.IsZero() != want.DueAt.IsZero() {
		t.Errorf("%s: DueAt %v, want %v", what, got.DueAt, want.DueAt)
	}
	got.VideoAt, want.VideoAt, got.DueAt, want.DueAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func checkEvent(t *testing.T, what string, got, want dispute.Event) {
	t.Helper()
	if !sameTime(got.At, want.At) {
		t.Errorf("%s: At %v, want %v", what, got.At, want.At)
	}
	got.At, want.At = time.Time{}, time.Time{}
	got.ID, want.ID = 0, 0 // ids are checked by the callers
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func checkCitizen(t *testing.T, what string, got, want dispute.Citizen) {
	t.Helper()
	if !sameTime(got.ConsentAt, want.ConsentAt) || !sameTime(got.LastInboundAt, want.LastInboundAt) ||
		!sameTime(got.WindowUntil, want.WindowUntil) {
		t.Errorf("%s: times %v %v %v, want %v %v %v", what, got.ConsentAt, got.LastInboundAt, got.WindowUntil,
			want.ConsentAt, want.LastInboundAt, want.WindowUntil)
	}
	if got.ConsentAt.IsZero() != want.ConsentAt.IsZero() {
		t.Errorf("%s: ConsentAt %v, want %v", what, got.ConsentAt, want.ConsentAt)
	}
	got.ConsentAt, got.LastInboundAt, got.WindowUntil = time.Time{}, time.Time{}, time.Time{}
	want.ConsentAt, want.LastInboundAt, want.WindowUntil = time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func checkDialog(t *testing.T, what string, got, want store.Dialog) {
	t.Helper()
	if !sameTime(got.UpdatedAt, want.UpdatedAt) {
		t.Errorf("%s: UpdatedAt %v, want %v", what, got.UpdatedAt, want.UpdatedAt)
	}
	got.UpdatedAt, want.UpdatedAt = time.Time{}, time.Time{}
	if len(got.Draft.Media) == 0 && len(want.Draft.Media) == 0 {
		got.Draft.Media, want.Draft.Media = nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// checkOutbound compares every field; a want.ID of 0 accepts any id.
func checkOutbound(t *testing.T, what string, got, want store.Outbound) {
	t.Helper()
	if !sameTime(got.NotBefore, want.NotBefore) || !sameTime(got.CreatedAt, want.CreatedAt) {
		t.Errorf("%s: NotBefore %v CreatedAt %v, want %v %v", what, got.NotBefore, got.CreatedAt, want.NotBefore, want.CreatedAt)
	}
	if got.ID <= 0 {
		t.Errorf("%s: ID %d, want one assigned by the store", what, got.ID)
	}
	if want.ID == 0 {
		want.ID = got.ID
	}
	got.NotBefore, got.CreatedAt, want.NotBefore, want.CreatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func caseIDs(cs []dispute.Case) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func texts(os []store.Outbound) []string {
	var s []string
	for _, o := range os {
		s = append(s, o.Text)
	}
	return s
}

// snapshot renders everything a caller can read about the given citizens,
// cases and dedup keys, and the whole outbound queue, to show that a
// failed Commit left no trace.
func (e *env) snapshot(openIDs, caseIDs, keys []string) string {
	e.t.Helper()
	var b strings.Builder
	for _, o := range openIDs {
		c, err := e.s.Citizen(e.ctx, o)
		fmt.Fprintf(&b, "citizen %s: %+v %v\n", o, c, errors.Is(err, store.ErrNotFound))
		d, err := e.dialog(o)
		fmt.Fprintf(&b, "dialog %s: %+v %v\n", o, d, err)
	}
	cs, err := e.s.Cases(e.ctx, store.CaseFilter{})
	fmt.Fprintf(&b, "cases: %+v %v\n", cs, err)
	for _, id := range caseIDs {
		c, err := e.s.Case(e.ctx, id)
		fmt.Fprintf(&b, "case %s: %+v %v\n", id, c, errors.Is(err, store.ErrNotFound))
		ev, err := e.s.Events(e.ctx, id)
		fmt.Fprintf(&b, "events %s: %+v %v\n", id, ev, err)
	}
	for _, k := range keys {
		r, err := e.s.DedupReply(e.ctx, k, t0)
		fmt.Fprintf(&b, "dedup %s: %q %v\n", k, r, errors.Is(err, store.ErrNotFound))
	}
	ob, err := e.s.Outbounds(e.ctx, "")
	fmt.Fprintf(&b, "outbound: %+v %v\n", ob, err)
	return b.String()
}

func (e *env) unchanged(what, before string, openIDs, caseIDs, keys []string) {
	e.t.Helper()
	if after := e.snapshot(openIDs, caseIDs, keys); after != before {
		e.t.Errorf("%s changed the store:\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// dialog reads a citizen's dialog through Conversation.
func (e *env) dialog(openID string) (store.Dialog, error) {
	_, d, err := e.s.Conversation(e.ctx, openID)
	return d, err
}
