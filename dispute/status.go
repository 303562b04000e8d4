package dispute

// Status is where a case stands in its life : received → referred → accepted → mediating → an end.
type Status string

// Case statuses; the string values are part of the API.
const (
	Received   Status = "received"
	Referred   Status = "referred"
	Accepted   Status = "accepted"
	Mediating  Status = "mediating"
	Resolved   Status = "resolved"
	Unresolved Status = "unresolved"
	Withdrawn  Status = "withdrawn"
)

var statusNames = map[Status]string{
	Received:   "已登记",
	Referred:   "已转交",
	Accepted:   "已受理",
	Mediating:  "调解中",
	Resolved:   "调解成功",
	Unresolved: "调解未成",
	Withdrawn:  "已撤回",
}

// Name is the status as citizens see it.
func (s Status) Name() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := statusNames[s]; return ok }

// Open reports whether the case is still being handled: text a citizen sends
// while a case is open joins that case's thread.
func (s Status) Open() bool { return s != Resolved && s != Unresolved && s != Withdrawn }

// moves lists the allowed transitions. A declined referral goes back to
// received (to be routed again), which is why referred → received exists.
var moves = map[Status][]Status{
	Received:  {Referred, Withdrawn},
	Referred:  {Accepted, Received, Withdrawn},
	Accepted:  {Mediating, Resolved, Unresolved, Withdrawn, Referred},
	Mediating: {Resolved, Unresolved, Withdrawn, Referred},
	// A follow-up answered "没有" reopens a resolved case.
	Resolved:   {Mediating},
	Unresolved: {},
	Withdrawn:  {},
}

// stage orders the statuses along a case's life; the ends share the last.
var stage = map[Status]int{Received: 0, Referred: 1, Accepted: 2, Mediating: 3, Resolved: 4, Unresolved: 4, Withdrawn: 4}

// Backward reports whether a move goes back in a case's life (a resolved
// case reopened, a mediation back to merely accepted): allowed, but never
// by a slip of the hand, so the console asks why.
func Backward(from, to Status) bool { return stage[to] < stage[from] }

// CanMove reports whether a case may go from one status to another.
func CanMove(from, to Status) bool {
	for _, s := range moves[from] {
		if s == to {
			return true
		}
	}
	return false
}
