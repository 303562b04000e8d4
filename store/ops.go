package store

import (
	"encoding/json"
	"fmt"
)

// A Change is applied as an ordered list of typed operations (Ops). Each
// op validates itself (Validate), says which case it announces (Notice)
// and encodes itself as a JSON object {"op": kind, fields…} (MarshalJSON),
// which is how the Redis store hands a Change to its script. Each backend
// has one applier per kind: the SQLite store runs them in order in one
// transaction; the Redis script first runs every op's check, then every
// op's write. A new kind of write is a new op type here, its place in
// Ops, an applier in each backend and a contract test.
//
// The order, the one both backends follow:
//
//  1. the dedup key (DedupOp): a duplicate delivery is refused before
//     anything else is looked at;
//  2. the citizen (CitizenOp), then the dialog with its version check (DialogOp),
//     the threads' checks (ThreadOp), then the citizen's answers to
//     subscription notices (SubscribeOp);
//  3. new cases (NewCaseOp): every later op may name them; then new
//     parties (PartyOp), party moves (PartyMoveOp) and QR tickets
//     (PartyQROp);
//  4. status changes (StatusOp), each From compared with the status as the
//     ops before it left the case;
//  5. urgency (UrgentOp);
//  6. claims (ClaimOp), before any transfer or assignment touches an
//     assignee: neither frees a case for a claim of the same Change;
//  7. transfers (TransferOp), then assignments (AssignOp): a transfer leaves
//     the case nobody's, so a Change that moves a case and gives it to
//     someone of the new body ends with that person;
//  8. video (VideoOp), type corrections (RetypeOp), updates (UpdateOp);
//  9. events (EventOp), whose ids increase in this order;
//  10. the release of held outbound items (ReleaseOp), then new queue
//     items (EnqueueOp), outbound entries before referrals: held items,
//     being older, still go out first;
//  11. audit entries (AuditOp);
//  12. due times (DueOp), last: bookkeeping that depends on nothing after it.
//
// Within a kind, ops keep the order of the Change's lists.

// OpKind names a kind of op; it is the "op" field of the op's JSON.
type OpKind string

// The kinds of op.
const (
	OpDedup     OpKind = "dedup"
	OpCitizen   OpKind = "citizen"
	OpDialog    OpKind = "dialog"
	OpSubscribe OpKind = "subscribe"
	OpNewCase   OpKind = "case"
	OpStatus    OpKind = "status"
	OpUrgent    OpKind = "urgent"
	OpClaim     OpKind = "claim"
	OpTransfer  OpKind = "transfer"
	OpAssign    OpKind = "assign"
	OpVideo     OpKind = "video"
	OpRetype    OpKind = "retype"
	OpUpdate    OpKind = "update"
	OpEvent     OpKind = "event"
	OpRelease   OpKind = "release"
	OpEnqueue   OpKind = "enqueue"
	OpAudit     OpKind = "audit"
	OpDue       OpKind = "due"
	OpThread    OpKind = "thread"
	// Parties (parties.go).
	OpParty     OpKind = "party"
	OpPartyMove OpKind = "party_move"
	OpPartyQR   OpKind = "party_qr"
)

// Op is one typed write of a Change.
//
// Its JSON is flat, every field always present (no nulls, no omitted
// fields; a list is of strings, and empty rather than null), and every
// number a string: times as Unix milliseconds (0 for
// the zero time), counters and durations likewise, so nothing passes
// through a double on the way to the script, and the script never meets
// a JSON null.
type Op interface {
	OpKind() OpKind
	// Validate reports what makes the op unfit to apply; it reads no store.
	Validate() error
	// Notice is the case the op announces to subscribers, if any.
	Notice() (Notice, bool)
	json.Marshaler
}

// Ops lists c's operations in the canonical order (see above).
func (c Change) Ops() []Op {
	ops := make([]Op, 0, c.opCount())
	if c.Dedup != "" {
		ops = append(ops, DedupOp{Key: c.Dedup, TTL: c.DedupTTL, Reply: c.Reply, At: c.At})
	}
	if c.Citizen != nil {
		ops = append(ops, CitizenOp(*c.Citizen))
	}
	if c.Dialog != nil {
		ops = append(ops, DialogOp(*c.Dialog))
	}
	for _, m := range c.Unchanged {
		ops = append(ops, ThreadOp(m))
	}
	for _, a := range c.Subscriptions {
		ops = append(ops, SubscribeOp(a))
	}
	for _, k := range c.NewCases {
		ops = append(ops, NewCaseOp(k))
	}
	for _, p := range c.Parties {
		ops = append(ops, PartyOp(p))
	}
	for _, m := range c.PartyMoves {
		ops = append(ops, PartyMoveOp(m))
	}
	for _, q := range c.PartyQR {
		ops = append(ops, PartyQROp(q))
	}
	for _, s := range c.Statuses {
		ops = append(ops, StatusOp(s))
	}
	for _, id := range c.MarkUrgent {
		ops = append(ops, UrgentOp{CaseID: id})
	}
	for _, a := range c.Assign {
		if a.IfFree {
			ops = append(ops, ClaimOp{CaseID: a.CaseID, User: a.User})
		}
	}
	for _, tr := range c.Transfers {
		ops = append(ops, TransferOp(tr))
	}
	for _, a := range c.Assign {
		ops = append(ops, AssignOp{CaseID: a.CaseID, User: a.User, At: a.At})
	}
	for _, v := range c.Video {
		if v.Start.IsZero() {
			// No link without a start: a cancelled video leaves no
			// stale link behind.
			v.URL = ""
		}
		ops = append(ops, VideoOp(v))
	}
	for _, r := range c.Retype {
		ops = append(ops, RetypeOp(r))
	}
	for _, u := range c.Updates {
		ops = append(ops, UpdateOp(u))
	}
	for _, e := range c.Events {
		ops = append(ops, EventOp(e))
	}
	if c.ReleaseHeld != "" {
		ops = append(ops, ReleaseOp{OpenID: c.ReleaseHeld})
	}
	for _, o := range c.Outbound {
		ops = append(ops, EnqueueOp(ItemOfOutbound(o)))
	}
	for _, r := range c.Referrals {
		ops = append(ops, EnqueueOp(ItemOfReferral(r)))
	}
	for _, e := range c.Audit {
		ops = append(ops, AuditOp(e))
	}
	for _, d := range c.Due {
		ops = append(ops, DueOp(d))
	}
	return ops
}

func (c Change) opCount() int {
	n := len(c.NewCases) + len(c.Parties) + len(c.PartyMoves) + len(c.PartyQR) + len(c.Statuses) + len(c.MarkUrgent) +
		2*len(c.Assign) + len(c.Transfers) + len(c.Video) + len(c.Retype) + len(c.Updates) + len(c.Events) +
		len(c.Outbound) + len(c.Referrals) + len(c.Audit) + len(c.Due) + len(c.Subscriptions) + len(c.Unchanged)
	return n + 4
}

// Check validates every op, in order, and returns the first failure: a
// Change is refused as a whole, before anything is written.
func Check(ops []Op) error {
	for _, op := range ops {
		if err := op.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// NoticesOf lists what committed ops tell listeners: one Notice per case
// they made or touched, in the order first met; a transfer's Left goes on
// its case's notice wherever that came first.
func NoticesOf(ops []Op) []Notice {
	var out []Notice
	for _, op := range ops {
		n, ok := op.Notice()
		if !ok || n.CaseID == "" {
			continue
		}
		i := 0
		for i < len(out) && out[i].CaseID != n.CaseID {
			i++
		}
		if i == len(out) {
			out = append(out, Notice{CaseID: n.CaseID, New: n.New})
		}
		if n.Left != "" {
			out[i].Left = n.Left
		}
	}
	return out
}

// needCase refuses an op on no case as an op on an unknown one.
func needCase(k OpKind, id string) error {
	if id == "" {
		return fmt.Errorf("store: %s without a case: %w", k, ErrNotFound)
	}
	return nil
}
