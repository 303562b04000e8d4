// Package risk finds what complaints are about and when many of them are
// one matter: the 风险预警 of the 府院联动 programme. It is pure (no store,
// no clock, no network): given texts, times and case facts it says
//
//   - Subjects: what a complaint is about (an employer, a construction
//     project or site, an estate or its property company, a shop or gym, a
//     village under expropriation), each with a matching Key that survives
//     the ways citizens write one name ("通化鑫达建筑工程有限公司", "鑫达建筑",
//     "鑫达公司的工地" all give 鑫达) and keeps look-alikes apart (鑫达 and
//     鑫源, 锦江花园 and 江南花园);
//   - Scan: the signals in a message that raise a level: how many people
//     it says are affected (我们十几个人, 几十户) and the words of an intent
//     to escalate (拉横幅, 堵路, 集体上访 …), ignoring them when denied (不想闹);
//   - Assess: the level of a cluster of cases (distinct citizens, the
//     signals, the pre-春节 season for wages).
//
// Matching keys. A subject's Key is its distinctive name: the words around
// it that every such name carries (region and city prefixes, 有限公司, 建筑
// 工程, 工地, 小区, 花园, 物业 …) are dropped. Two complaints meet when their
// keys are equal. Typos are tolerated only in keys of three or more
// characters, and only where the differing character sounds like the
// right one (a homophone class, homophone.go): 幸福里 and 幸福丽 meet,
// 锦江 and 锦山 never do, and a two-character key (鑫达) must be written
// right, since 鑫达 and 鑫源 are as likely two firms as a typo. Keys are
// deterministic and computed offline; an LLM is never needed.
package risk
