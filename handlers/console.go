package handlers

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"jiefen/caselink"
	"jiefen/referral"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/workflow"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Console is the mediators' web console and its JSON API.
type Console struct {
	Store store.Store
	Table *routing.Table
	Log   *slog.Logger
	Now   func() time.Time
	Cases *workflow.Cases // every operation on a case, and who may see and act on one
	// TemplateLinks is set when messages outside the window go as template
	// messages linking to the case page (a template id and a public URL).
	TemplateLinks bool
	Links         caselink.Signer
	KickReferrals func()          // wakes the webhook sender (a body's webhook changed)
	Hooks         *referral.Hooks // a body's webhook: the console's setting or the table's

	once  sync.Once
	tpl   *template.Template
	hub   *hub
	views viewLog // recent recorded views, so live refreshes are not recorded again
}

// init parses the templates (a mistake in one fails at start, not on a
// page view) and makes the hub; Handler and Listen may come in any order.
func (c *Console) init() {
	c.once.Do(func() {
		c.tpl = template.Must(template.New("").Funcs(templateFuncs).ParseFS(templateFiles, "templates/*.html"))
		c.hub = newHub(c)
	})
}

// routes registers the console's pages, actions, stream and API.
func (c *Console) routes(mux *http.ServeMux) {
	c.init()
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(mustSub(staticFiles, "static"))))
	mux.HandleFunc("GET /console/login", c.loginPage)
	mux.HandleFunc("POST /console/login", c.login)
	mux.Handle("POST /console/logout", c.page(c.audited(store.AuditLogout, "", c.logout)))
	mux.Handle("GET /console/{$}", c.page(c.queuePage))
	mux.Handle("GET /console/cases/{id}", c.page(c.casePage))
	mux.Handle("GET /console/cases/{id}/thread", c.page(c.threadFragment))
	mux.Handle("GET /console/cases/{id}/row", c.page(c.rowFragment))
	// Every action on a case goes through the case workflow, which
	// records it in the audit log with the change itself.
	mux.Handle("POST /console/cases/{id}/reply", c.page(c.formAction(c.reply, back)))
	mux.Handle("POST /console/cases/{id}/note", c.page(c.formAction(c.note, back)))
	mux.Handle("POST /console/cases/{id}/take", c.page(c.formAction(c.take, back)))
	mux.Handle("POST /console/cases/{id}/status", c.page(c.formAction(c.setStatus, back)))
	mux.Handle("POST /console/cases/{id}/decline", c.page(c.formAction(c.decline, toQueue)))
	mux.Handle("POST /console/cases/{id}/transfer", c.page(c.formAction(c.transfer, toQueue)))
	mux.Handle("POST /console/cases/{id}/assign", c.page(c.formAction(c.assign, back)))
	mux.Handle("POST /console/cases/{id}/video", c.page(c.formAction(c.video, back)))
	mux.Handle("POST /console/cases/{id}/type", c.page(c.formAction(c.retype, back)))
	mux.Handle("POST /console/cases/{id}/extend", c.page(c.formAction(c.extend, back)))
	mux.Handle("GET /console/overdue", c.page(c.overduePage))
	mux.Handle("POST /console/cases/{id}/referrals/{ref}/retry", c.page(c.formAction(c.retryReferral, back)))
	mux.Handle("GET /console/ws", c.page(c.hub.serveConsole))
	mux.Handle("GET /console/stats", c.page(c.statsPage))
	mux.Handle("GET /console/stats.csv", c.page(c.statsCSV))
	mux.Handle("GET /console/bodies", c.page(c.bodiesPage))
	mux.Handle("POST /console/bodies/{body}/webhook", c.page(c.audited(store.AuditChange, "webhook set", c.setWebhook)))
	mux.Handle("POST /console/bodies/{body}/webhook/remove", c.page(c.audited(store.AuditChange, "webhook removed", c.removeWebhook)))
	mux.Handle("GET /console/audit", c.page(c.auditPage))

	mux.HandleFunc("GET /c/{id}/{sig}", c.casePageForCitizen)
	mux.HandleFunc("POST /c/{id}/{sig}", c.citizenWrite)

	for _, rt := range c.apiRoutes() {
		mux.Handle(rt.Pattern, c.api(rt.handle))
	}
	mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI)
}

// APIRoute is one route of the JSON API; the OpenAPI document lists the
// same routes (a test holds them together).
type APIRoute struct {
	Pattern string // "METHOD /path"
	handle  func(http.ResponseWriter, *http.Request) error
}

func (c *Console) apiRoutes() []APIRoute {
	return []APIRoute{
		{"GET /api/v1/cases", c.apiCases},
		{"GET /api/v1/cases/{id}", c.apiCase},
		{"POST /api/v1/cases/{id}/messages", c.apiMessage},
		{"POST /api/v1/cases/{id}/status", c.apiStatus},
		{"POST /api/v1/cases/{id}/decline", c.apiDecline},
		{"POST /api/v1/cases/{id}/video", c.apiVideo},
		{"POST /api/v1/cases/{id}/transfer", c.apiTransfer},
		{"GET /api/v1/bodies", c.apiBodies},
		{"GET /api/v1/stream", c.hub.serveAPI},
	}
}

// APIPatterns lists the API's routes, for the OpenAPI test.
func (c *Console) APIPatterns() []string {
	var out []string
	for _, rt := range c.apiRoutes() {
		out = append(out, rt.Pattern)
	}
	return out
}
