package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"jiefen/bot"
	"jiefen/handlers"
	"jiefen/store"
	"jiefen/wxsim"
)

// runDemo runs jiefen on this machine with nothing installed: the embedded
// store, the built-in routing table, and an in-process stand-in of the
// WeChat platform with a chat page to type in as a citizen.
func runDemo(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if getenv("JIEFEN_ADDR") == "" {
		// The demo's chat page lets anyone read any simulated citizen's
		// messages: by default only this machine can reach it.
		cfg.Addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil && getenv("JIEFEN_ADDR") == "" {
		// The default port is taken: a newcomer should still get a demo.
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return err
	}
	base := "http://" + localAddr(ln)

	// Fresh credentials for each run: the stand-in platform and the bot
	// share them, as a real account's settings page and server would.
	cfg.AppID, cfg.Secret, cfg.Token, cfg.AESKey = "wxdemo"+randomString(12), randomString(32), randomString(16), randomString(43)
	cfg.WeChatAPI = base + "/wxapi"
	cfg.TemplateID = "demo-case-update"
	cfg.PublicURL = base
	if cfg.VideoURL == "" {
		cfg.VideoURL = "https://meeting.example.cn/jiefen/{case}"
	}
	// A long-term subscription template: the case page offers it, and the
	// stand-in JS-SDK shows its button and popup in any browser.
	cfg.SubscribeTemplates = []bot.SubscribeTemplate{{ID: "demo-case-notice", Long: true,
		CaseField: bot.DefaultSubscribeCaseField, TextField: bot.DefaultSubscribeTextField}}
	platform := wxsim.NewPlatform(cfg.AppID, cfg.Secret)
	platform.AddTemplate(cfg.TemplateID)
	platform.AddSubscribeTemplate("demo-case-notice", true)

	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := newApp(cfg, log, time.Now)
	if err != nil {
		ln.Close()
		return err
	}
	a.messenger.Poll = 200 * time.Millisecond
	a.server.Web.JSSDKURL = base + "/wxapi" + wxsim.JSSDKPath
	client := &wxsim.Client{URL: base + "/wechat", Token: cfg.Token, AESKey: cfg.AESKey, AppID: cfg.AppID,
		AccountID: "gh_jiefendemo", Mode: wxsim.Safe, Platform: platform, HTTP: &http.Client{}}
	platform.SetOnPopup(func(openID string, answers []wxsim.PopupAnswer) {
		if _, err := client.Deliver(ctx, client.SubscribePopup(openID, answers...)); err != nil {
			log.Warn("demo: subscription event", "err", err)
		}
	})
	a.server.Demo = &handlers.Demo{
		Platform: platform,
		Client:   client,
		Log:      log,
		Account:  strings.TrimSuffix(a.table.City().Name(), "市") + "解纷服务",
	}
	accounts, err := seedDemoUsers(ctx, a)
	if err != nil {
		a.store.Close()
		ln.Close()
		return err
	}
	fmt.Fprintf(stdout, "jiefen demo %s\n\n", version)
	fmt.Fprintf(stdout, "  模拟微信聊天（以市民身份输入）: %s/demo/\n", base)
	fmt.Fprintf(stdout, "  调解工作台（调解员登录）:        %s/console/\n", base)
	for _, acc := range accounts {
		fmt.Fprintf(stdout, "      %-12s 密码 %s   %s\n", acc[0], acc[1], acc[2])
	}
	fmt.Fprintf(stdout, "  WeChat callback (safe mode):      %s/wechat\n", base)
	fmt.Fprintf(stdout, "  health / metrics:                  %s/healthz  %s/metrics\n", base, base)
	fmt.Fprintf(stdout, "  data:                              %s\n\nCtrl-C to stop.\n", cfg.DataDir)
	return a.serve(ctx, ln)
}

// localAddr is the listener's address as a browser on this machine reaches it.
func localAddr(ln net.Listener) string {
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// demoUsers are the console accounts the demo makes: an admin, a mediator
// and the head (who sees statistics and 督办) of the body most demo
// complaints reach, a mediator of a district committee, and the duty desk.
// Each has a person's name, which the console shows instead of the login.
var demoUsers = []struct{ name, display, role, body, what string }{
	{"admin", "赵敏", store.RoleAdmin, "", "管理员，看全部案件、管理用户和令牌"},
	{"liuhe", "刘和", store.RoleMediator, "lh-labor", "柳河县劳动人事争议仲裁院 调解员"},
	{"liuhe-lead", "孙立华", store.RoleSupervisor, "lh-labor", "柳河县劳动人事争议仲裁院 负责人（统计、督办）"},
	{"dongchang", "王东昌", store.RoleMediator, "dc-mediation", "东昌区人民调解委员会 调解员"},
	{"duty", "周静", store.RoleSupervisor, "tonghua-duty", "综治中心值班室（紧急案件）"},
}

// seedDemoUsers (re)creates the demo accounts with fresh passwords, which
// are printed: the demo's data directory may outlive one run.
func seedDemoUsers(ctx context.Context, a *app) ([][3]string, error) {
	var out [][3]string
	for _, u := range demoUsers {
		password := randomString(10)
		hash, err := handlers.HashPassword(password)
		if err != nil {
			return nil, err
		}
		if err := a.store.PutUser(ctx, store.User{Name: u.name, Display: u.display, Role: u.role, Body: u.body, PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
			return nil, err
		}
		out = append(out, [3]string{u.name, password, u.display + "，" + u.what})
	}
	return out, nil
}
