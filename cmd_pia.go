package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"jiefen/bot"
	"jiefen/catalog"
	"jiefen/personal"
	"jiefen/referral"
	"jiefen/retention"
	"jiefen/routing"
	"jiefen/store"
)

// runPIA handles `jiefen pia`: the facts an operator's personal-information
// impact assessment (个人信息保护法 第五十五、五十六条) starts from, as
// Markdown on stdout: what personal data jiefen holds and where, for what,
// where it goes (the bodies of the routing table in use with their
// webhooks' hosts, the LLM endpoint, WeChat), and for how long. It reads
// the configuration, the routing table and the webhooks set in the
// console, as `serve` would use them, so it describes this deployment,
// not a default. It holds no personal data itself.
func runPIA(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	table, err := loadTable(cfg.RoutesFile)
	if err != nil {
		return err
	}
	st, _, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	hooks, err := (&referral.Hooks{Store: st, Table: table}).All(ctx)
	if err != nil {
		return err
	}
	writePIA(stdout, cfg, table, hooks)
	return nil
}

// piaData is one kind of personal data jiefen holds: where in each store,
// why, and how long.
type piaData struct {
	what, fields, sqlite, redis, purpose, kept string
}

func writePIA(w io.Writer, cfg Config, table *routing.Table, hooks []referral.Hook) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	keep := retention.FormatPeriod(cfg.Retention)
	stale := retention.FormatPeriod(store.StaleDialog)
	storeName := "嵌入式 SQLite，目录 " + cfg.DataDir + "（jiefen.db）"
	if cfg.RedisURL != "" {
		storeName = "Redis（JIEFEN_REDIS_URL；所有实例共用）"
	}

	p("# 解纷（jiefen）个人信息保护影响评估基础材料")
	p("")
	p("依据《个人信息保护法》第五十五、五十六条，供运营方开展个人信息保护影响评估。本文件由 `jiefen pia` 按当前配置生成（%s），不含任何个人信息。", table.City().Name())
	p("")
	p("- 存储：%s", storeName)
	p("- 个人信息告知版本：%s（每次同意均记录版本与时间）", catalog.NoticeVersion)
	p("")

	p("## 一、处理的个人信息")
	p("")
	p("| 信息 | 字段 | SQLite | Redis | 目的 | 保存期限 |")
	p("|---|---|---|---|---|---|")
	for _, d := range []piaData{
		{"市民标识与同意", "微信 openid；同意告知的时间与版本；客服消息窗口计数", "citizens", "cit:{openid}", "识别对话、回复市民；证明已告知并取得同意", "市民的案件匿名化后仍保留 openid 与同意记录，直至运营方清理"},
		{"未完成的登记", "陈述、县区、电话、图片/语音编号、敏感信息同意情况", "dialogs", "dlg:{openid}", "把登记所需信息问全", "最后一次修改后 " + stale + " 删除"},
		{"案件", "陈述、摘要（是否AI生成）、openid、电话、县区、类型、视频调解链接", "cases", "case:{id}", "转交有权处理的单位并调解", "结案（调解成功、未成、撤回）后 " + keep + " 匿名化"},
		{"案件往来", "市民与调解员的消息、内部备注、图片/语音编号", "events", "ev:{case}", "调解过程记录", "同上，" + keep + " 后删除文字"},
		{"图片与语音", "市民发送的文件", "media", "media:{id}、mx:{case}", "证据", "同上，" + keep + " 后删除"},
		{"待发消息与推送", "发给市民的消息文字、openid；推送给单位的转介内容（陈述、电话、消息）", "queue", "q:{id}", "送达市民与承办单位", "同上，" + keep + " 后删除文字与转介内容"},
		{"回调去重", "被动回复文字", "dedup", "dd:{key}", "平台重试时给出同一回复", retention.FormatPeriod(bot.DedupTTL)},
		{"检索索引", "陈述与摘要的字词、电话号码", "search、search_rows", "sg:、sn、sp", "调解员按电话、姓名、字词查找案件", "随案件匿名化删除"},
		{"审计日志", "工作人员用户名、角色、操作、案件编号、客户端地址；市民同意（告知版本、时间，不含 openid）", "audit", "au、aux", "问责（第五十四条合规审计）", "只增不改，长期保存"},
		{"控制台账号", "登录名、显示的姓名、所属单位、停用与否、密码与令牌的哈希（令牌有到期时间）", "users、sessions、tokens", "users、sess:、tok:", "工作人员登录", "由管理员删除"},
	} {
		p("| %s | %s | %s | %s | %s | %s |", d.what, d.fields, d.sqlite, d.redis, d.purpose, d.kept)
	}
	p("")
	p("敏感个人信息（第二十八条）：陈述中出现（%s）时，在转交前单独征得同意（第二十九条），说明用途、接收单位及不同意的后果；不同意的内容不保存、不转交。每次同意或不同意都随案件记入审计日志（告知版本 %s）。紧急情况（有人身危险）先登记转交，依第十三条第四项。", personal.Names(personal.Kinds), catalog.NoticeVersion)
	p("")

	p("## 二、个人信息的去向")
	p("")
	p("### 承办单位（路由表，%d 个）", len(table.Bodies()))
	p("")
	p("每个案件只转交路由表选定的一个单位（紧急时另报值班台）；单位工作人员在控制台只能看到本单位的案件。有推送地址的单位，其系统会收到签名的转介（陈述、电话、消息、控制台链接）。")
	p("")
	p("| 单位 | 编号 | 受理类型 | 服务县区 | 推送主机 |")
	p("|---|---|---|---|---|")
	pushTo := map[string]string{}
	for _, h := range hooks {
		if h.URL == "" {
			continue
		}
		host := "（地址无效）"
		if u, err := url.Parse(h.URL); err == nil && u.Host != "" {
			host = u.Host
		}
		if h.Source == referral.FromConsole {
			host += "（控制台设置）"
		}
		pushTo[h.Body] = host
	}
	for _, b := range table.Bodies() {
		types := make([]string, len(b.Types))
		for i, t := range b.Types {
			types[i] = t.Name()
		}
		regions := strings.Join(b.Regions, "、")
		if regions == "" {
			regions = "全市"
		}
		push := pushTo[b.ID]
		if push == "" {
			push = "无（仅控制台）"
		}
		p("| %s | %s | %s | %s | %s |", b.Name, b.ID, strings.Join(types, "、"), regions, push)
	}
	p("")
	p("### 大模型（LLM）")
	p("")
	if cfg.OpenAIURL == "" {
		p("未配置（JIEFEN_OPENAI_URL 未设置）：分类与摘要全部在本机完成，不向外发送。")
	} else {
		host := cfg.OpenAIURL
		if u, err := url.Parse(cfg.OpenAIURL); err == nil {
			host = u.Host
		}
		where := "境内（已知的境内服务或本机/内网）"
		if !routing.LLMInMainland(cfg.OpenAIURL) {
			where = "**境外**，运营方已以 JIEFEN_OPENAI_CROSS_BORDER=allow 明确允许（须已完成第三十八条规定的出境条件）"
		}
		p("- 主机：%s，模型：%s；位置：%s", host, cfg.OpenAIModel, where)
		p("- 发送内容：市民陈述（每条最多2000字），**发送前在本机脱敏**：姓名、电话、身份证号、银行卡号、详细住址替换为【姓名1】等占位符，回答中的占位符在本机还原")
		p("- 用途：判断纠纷类型、县区、是否紧急，写一句摘要；摘要在显示处标注“%s”", catalog.AILabel(cfg.AIModelName, cfg.AIFiling))
	}
	p("")
	p("### 微信公众平台（腾讯）")
	p("")
	p("- 接口：%s；市民的消息经平台到达 jiefen，发给市民的回复、进度通知、模板消息经平台送达（openid、消息文字、案件编号与链接）", cfg.WeChatAPI)
	p("- 市民的案件页：签名链接，无需密码，只显示该案件")
	p("")

	p("## 三、保存期限")
	p("")
	p("- 结案后个人信息保存 %s（JIEFEN_RETENTION），到期由后台任务匿名化：删除陈述、摘要、openid、电话、消息文字、图片语音、待发消息与转介内容；保留编号、类型、县区、单位、状态、时间、评分以供统计", keep)
	p("- 未完成的登记：最后一次修改后 %s 删除（%s 未继续即重新开始登记）", stale, retention.FormatPeriod(bot.StaleIntake))
	p("- 回调去重记录：%s", retention.FormatPeriod(bot.DedupTTL))
	p("- 审计日志：只增不改")
	p("")
	p("生成时间：%s", time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04"))
}
