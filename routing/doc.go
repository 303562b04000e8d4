// Package routing understands a complaint and decides which body takes it.
//
// Two halves, pure but for the LLM classifier (llm*.go), which calls an
// OpenAI-compatible endpoint under a time budget; nothing here logs
// complaint text:
//
// Classification. A Classifier turns a citizen's words into a Result: the
// dispute type (or dispute.None for greetings, thanks and how-to questions),
// a confidence, whether someone is in danger now, and the region. Local is
// the classifier that needs no network:
//
//   - the type comes from a trained model (model.go): logistic regression
//     over character 1–3-grams of the normalised text plus the hand-weighted
//     phrase lists of keywords.go as features, fitted to the labelled corpus
//     in corpus/train.tsv by `go run ./routing/train` and embedded in the
//     binary (model.bin); corpus/heldout.tsv is never trained on and
//     TestHeldout reports per-type precision and recall on it;
//   - urgency is rules (urgency.go), backed by an urgency head of the same
//     model that catches danger told in words the rules do not list;
//   - the region is the routing table's city (City.Detect, city.go): its
//     regions in any usual form and the townships, streets and landmarks
//     the table lists inside them.
//
// All of it reads text normalised from Traditional to Simplified characters
// and common typos (normalize.go). The LLM classifier (NewLLM) asks an
// OpenAI-compatible endpoint first and falls back to Local whenever it is
// slow, refuses or answers badly; it never lowers urgency. City.Detect and
// DetectUrgent stay useful on their own because the bot calls them on
// answers to its own questions.
//
// Routing. A Table is loaded from YAML (or the embedded 通化 table, Builtin)
// and validated as a whole: LoadTable reports every problem at once, each
// naming where it is, so an operator fixes a file in one pass. The table
// carries its city (Table.City): the name and the county-level regions that
// bodies, rules, cases, the bot's region menu and the LLM's prompt use; a
// table naming none serves the built-in 通化市. Route picks a
// body for a dispute type in a region in three stages:
//
//  1. Rules, in file order; the first rule whose types and regions both match
//     wins. A rule without types matches every type, one without regions
//     every region; a rule naming regions never matches an unknown region
//     (""). Rules are how an operator overrides the default below.
//  2. Otherwise the most specific body that lists the type: a body naming the
//     region beats a city-wide body (one without regions), and among bodies
//     naming the region the one naming fewer regions wins. Remaining ties go
//     to the body that comes first in the file, so file order expresses
//     preference (for example arbitration before the trade union's studio).
//     An unknown region ("") reaches only city-wide bodies.
//  3. Otherwise the table's fallback body.
//
// Bodies passed in exclude (those that declined the case) are skipped at
// every stage, so a declined case moves on to the next candidate of the same
// stage before falling through. The Decision names what chose the body: the
// rule id, "body:<id>" for stage 2, or "fallback".
//
// A table made only of bodies is valid as long as every type in every region
// reaches some body. The duty desk (duty_desk) is not part of routing: the
// caller sends urgent cases there in addition to the routed body.
package routing
