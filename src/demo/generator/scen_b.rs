//! Scenario templates, part two: changes, deploys, databases, capacity.

use super::{cap, dur, Ctx, Entry, Sc, V};

pub(super) fn entries() -> Vec<Entry> {
    vec![
        Entry {
            f: config_pool_size,
            weight: 2,
            near_miss: false,
            scale: 0.7,
            month_start: false,
            slow: false,
        },
        Entry {
            f: config_terraform_sg,
            weight: 1,
            near_miss: true,
            scale: 0.8,
            month_start: false,
            slow: false,
        },
        Entry {
            f: config_k8s_limits,
            weight: 1,
            near_miss: false,
            scale: 0.8,
            month_start: false,
            slow: false,
        },
        Entry {
            f: deploy_missing_env,
            weight: 3,
            near_miss: false,
            scale: 0.5,
            month_start: false,
            slow: false,
        },
        Entry {
            f: deploy_kafka_rebalance,
            weight: 1,
            near_miss: false,
            scale: 1.3,
            month_start: false,
            slow: false,
        },
        Entry {
            f: xid_wraparound,
            weight: 1,
            near_miss: true,
            scale: 4.0,
            month_start: false,
            slow: true,
        },
        Entry {
            f: search_cluster_heap,
            weight: 1,
            near_miss: false,
            scale: 1.5,
            month_start: false,
            slow: true,
        },
        Entry {
            f: traffic_spike_campaign,
            weight: 2,
            near_miss: false,
            scale: 0.8,
            month_start: false,
            slow: false,
        },
        Entry {
            f: dependency_vendor_down,
            weight: 2,
            near_miss: false,
            scale: 1.2,
            month_start: false,
            slow: false,
        },
        Entry {
            f: hardware_disk_ceph,
            weight: 1,
            near_miss: false,
            scale: 2.0,
            month_start: false,
            slow: true,
        },
        Entry {
            f: software_bug_nil,
            weight: 2,
            near_miss: false,
            scale: 0.7,
            month_start: false,
            slow: false,
        },
        Entry {
            f: software_bug_duplicate_jobs,
            weight: 1,
            near_miss: false,
            scale: 1.5,
            month_start: false,
            slow: true,
        },
        Entry {
            f: migration_table_lock,
            weight: 2,
            near_miss: false,
            scale: 0.6,
            month_start: false,
            slow: false,
        },
        Entry {
            f: data_corruption_encoding,
            weight: 1,
            near_miss: false,
            scale: 4.0,
            month_start: false,
            slow: true,
        },
        Entry {
            f: failover_stale_endpoint,
            weight: 1,
            near_miss: false,
            scale: 1.0,
            month_start: false,
            slow: false,
        },
        Entry {
            f: maintenance_node_drain,
            weight: 1,
            near_miss: false,
            scale: 0.6,
            month_start: false,
            slow: false,
        },
        Entry {
            f: maintenance_managed_db,
            weight: 1,
            near_miss: false,
            scale: 0.8,
            month_start: false,
            slow: false,
        },
    ]
}

fn config_pool_size(c: &mut Ctx) -> Sc {
    let V {
        svc,
        svc2,
        oc,
        e2,
        lang,
        ..
    } = c.v();
    let db = c.p(&["postgresql", "mysql", "mariadb", "cockroachdb"]);
    let db_name = match db {
        "postgresql" => "PostgreSQL",
        "mysql" => "MySQL",
        "mariadb" => "MariaDB",
        _ => "CockroachDB",
    };
    let old = c.n(2, 6) * 10;
    let new = c.n(2, 8);
    let replicas = c.n(6, 40);
    let wait = c.n(5, 30);
    Sc {
        trigger: "config-change",
        techs: vec![db, c.lang, c.p(&["kubernetes", "helm", "consul"])],
        alert: "HighLatencyP99".into(),
        detections: vec!["automated-alert", "automated-alert", "canary-analysis", "customer-report"],
        cats: vec!["increased-latency", "increased-errors", "partial-outage"],
        factors: vec!["poor-change-review", "no-canary", "insufficient-testing", "config-drift", "inadequate-timeouts"],
        humans: vec!["assumption-of-safety", "confirmation-bias", "distraction"],
        title: c.ps(vec![
            format!("Connection pool cut from {old} to {new} starved {svc} of database connections"),
            "A one-line config change exhausted the database connection pool".into(),
            format!("Pool exhaustion after a {db_name} connection limit change"),
        ]),
        summary: format!("A configuration change meant to reduce load on {db_name} set the per-instance connection pool of {svc} to {new} instead of {old}. Under normal traffic requests queued for connections and timed out after {wait} seconds."),
        symptom: format!("p99 latency of {svc} jumped to {wait} seconds and timeouts followed"),
        effect: format!("Requests to {svc} were slow or failed with timeouts"),
        happened: format!("We were reducing the total number of connections to {db_name} ahead of adding more replicas of {svc2}. The change set `maxPoolSize` to {new} per instance across {replicas} replicas. It rolled out in one step. Within minutes the {lang} services logged `Connection is not available, request timed out after {wait}000ms` and p99 latency hit the timeout."),
        why: "The number was worked out from average concurrency, not from peak concurrency during slow queries. The reviewer checked the arithmetic but not the assumption. Config changes go out to all replicas at once with no canary, unlike code.".to_string(),
        fix: format!("{} reverted the config and restarted the pods to pick it up; latency recovered within five minutes. {} later put a pooler in front of the database, which solves the original problem without starving the application.", cap(&oc), cap(&e2)),
        start_event: "Pool size change rolled out".into(),
        events: vec![
            "Connection wait timeouts in application logs".into(),
            format!("Database itself healthy: {} active connections, low CPU", new * replicas),
            "Config change identified as the trigger".into(),
        ],
        mitigate_event: "Config reverted; pods restarted".into(),
        resolve_event: "Latency and error rate back to baseline".into(),
        root_causes: vec![
            format!("The pool size was reduced from {old} to {new} per instance, below peak concurrency."),
            "Config changes roll out to every instance at once without a canary.".into(),
            "The sizing was based on average rather than peak concurrency.".into(),
        ],
        whys: vec![
            "Why did requests time out? Because they waited for a database connection.".into(),
            "Why? Because each instance had only a few connections.".into(),
            format!("Why? Because a change set the pool to {new}."),
            "Why was that not caught? Because config changes skip canary analysis.".into(),
            "Why? Because our pipeline treats config as low-risk.".into(),
        ],
        lessons: vec![
            "Config is code: it needs the same canary and rollback as code.".into(),
            "Pool sizing must use peak concurrency, including slow periods.".into(),
        ],
        actions: vec![
            "Route config changes through the canary stage.".into(),
            "Alert on connection pool wait time.".into(),
            "Introduce a connection pooler in front of the database.".into(),
        ],
        mitigations: vec!["rollback", "restart"],
        ..Default::default()
    }
}

fn config_terraform_sg(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let rules = c.n(3, 25);
    let mut sc = Sc {
        trigger: "config-change",
        techs: vec!["terraform", "aws", "vpc", "ec2"],
        alert: "TargetGroupUnhealthy".into(),
        detections: vec!["automated-alert", "synthetic-monitoring"],
        cats: vec!["full-outage", "partial-outage"],
        factors: vec!["config-drift", "poor-change-review", "manual-process", "insufficient-access-controls"],
        humans: vec!["assumption-of-safety", "time-pressure", "tooling-confusion"],
        root_causes: vec![
            format!("Security group rules added by hand in the console were not in Terraform, so apply removed {rules} of them."),
            "The plan output was long and the deletions were not noticed in review.".into(),
            "Terraform had not been applied to this module for months, hiding the drift.".into(),
        ],
        whys: vec![
            format!("Why could {svc} not reach its database? Because the security group no longer allowed it."),
            "Why? Because terraform apply removed the rule.".into(),
            "Why? Because the rule had been added by hand and was not in code.".into(),
            "Why was it added by hand? Because of an urgent fix months earlier that was never back-ported.".into(),
        ],
        lessons: vec![
            "Drift accumulates quietly; the next apply collects the bill.".into(),
            "Plans that remove network rules deserve a separate, explicit approval.".into(),
        ],
        actions: vec![
            "Run a nightly terraform plan and alert on drift.".into(),
            "Block console changes to security groups in production.".into(),
            "Fail CI when a plan deletes security group rules without a label.".into(),
        ],
        ..Default::default()
    };
    if c.nm {
        sc.title =
            format!("Terraform plan would have deleted {rules} hand-made security group rules");
        sc.summary = format!("A reviewer noticed that a routine terraform plan for the network module would remove {rules} security group rules added by hand in the console, including the one that lets {svc} reach its database. The apply was stopped.");
        sc.detections = vec!["audit-or-review", "engineer-noticed"];
        sc.symptom = format!("the plan showed {rules} security group rules to be destroyed");
        sc.effect = "No impact; the apply was never run".into();
        sc.happened = format!("{} opened a pull request bumping the AWS provider version. {} read the full plan, not just the summary line, and saw `- ingress` entries for rules nobody expected to change.", cap(&oc), cap(&e2));
        sc.why = "Several rules had been added in the console during past incidents and never written back into Terraform.".into();
        sc.fix = "We imported the rules into Terraform, re-ran the plan until it was clean, and then applied the provider upgrade.".into();
        sc.start_event = "Pull request with plan opened".into();
        sc.events = vec![
            "Unexpected deletions spotted in plan".into(),
            "Rules imported into Terraform".into(),
        ];
        sc.mitigate_event = "Clean plan".into();
        sc.resolve_event = "Provider upgrade applied safely".into();
        sc.mitigations = vec!["config-change"];
        return sc;
    }
    sc.title = c.ps(vec![
        "terraform apply deleted a security group rule added by hand".into(),
        format!("Config drift: Terraform removed {rules} console-made firewall rules"),
        format!(
            "{} lost access to its database after a routine Terraform apply",
            cap(&svc)
        ),
    ]);
    sc.summary = format!("A routine terraform apply to the network module removed {rules} security group rules that had been added by hand in the AWS console. One of them allowed {svc} to reach its database, and it went down.");
    sc.symptom = format!("{svc} could not open connections to its database");
    sc.effect = format!("{} was down", cap(&svc));
    sc.happened = format!("{} applied a small Terraform change to the shared network module. The plan was 400 lines long and the summary said `{rules} to destroy`, which we read as the expected clean-up. Within a minute {svc} logged connection timeouts to its database and health checks failed.", cap(&oc));
    sc.why = "During an incident months earlier, someone added ingress rules by hand in the console and never back-ported them into code. Terraform treated them as drift and removed them. Nothing compared the real state to the code in between.".into();
    sc.fix = format!("{} re-added the rule by hand to restore service, then added all {rules} rules to the Terraform module and applied again until the plan was empty.", cap(&e2));
    sc.start_event = "terraform apply on the network module".into();
    sc.events = vec![
        "Connection timeouts to the database".into(),
        "CloudTrail shows RevokeSecurityGroupIngress from the Terraform role".into(),
        "Missing rule re-added in the console".into(),
    ];
    sc.mitigate_event = "Database reachable again".into();
    sc.resolve_event = "All rules captured in Terraform; plan clean".into();
    sc.mitigations = vec!["config-change"];
    sc
}

fn config_k8s_limits(c: &mut Ctx) -> Sc {
    let V {
        svc, oc, e2, lang, ..
    } = c.v();
    let old = c.n(4, 8) * 256;
    let new = c.n(1, 3) * 256;
    let restarts = c.n(40, 900);
    c.platform = c.p(&["kubernetes", "eks", "gke"]);
    Sc {
        trigger: "config-change",
        techs: vec![c.platform, "helm", c.lang, c.p(&["argocd", "github-actions", "gitlab-ci"])],
        alert: "KubePodCrashLooping".into(),
        detections: vec!["automated-alert", "automated-alert", "canary-analysis"],
        cats: vec!["partial-outage", "increased-errors"],
        factors: vec!["insufficient-capacity-planning", "poor-change-review", "no-canary", "missing-monitoring"],
        humans: vec!["assumption-of-safety", "knowledge-gap"],
        title: c.ps(vec![
            format!("Memory limit lowered to {new} MiB sent {svc} into an OOMKill loop"),
            "Cost-saving resource limit change caused crash loops".into(),
        ]),
        summary: format!("A cost-reduction change lowered the memory limit of {svc} from {old} MiB to {new} MiB based on average usage. Under load the pods were OOMKilled, restarted {restarts} times and the service ran at a fraction of its capacity."),
        symptom: format!("pods of {svc} were in CrashLoopBackOff with reason OOMKilled"),
        effect: format!("Many requests to {svc} failed while pods restarted"),
        happened: format!("A Helm values change lowered `resources.limits.memory` for {svc}. The {lang} process needs more memory at startup and during traffic peaks than on average. Pods were killed with `OOMKilled` (exit code 137), restarted, warmed up and were killed again; over the incident there were {restarts} restarts."),
        why: format!("The new limit was chosen from a dashboard of average memory over 7 days, which hid peaks. The {lang} runtime was also not told about the new limit, so it sized its heap for the old one."),
        fix: format!("{} reverted the values change and {e2} scaled the deployment up while the pods stabilised. We now pick limits from p99 memory over 30 days and set the runtime heap size from the container limit.", cap(&oc)),
        start_event: "Helm values change with lower memory limits deployed".into(),
        events: vec![
            "Pods OOMKilled repeatedly".into(),
            "kubectl describe shows exit code 137".into(),
            "Limits change identified".into(),
        ],
        mitigate_event: "Limits reverted; pods stable".into(),
        resolve_event: "Capacity and error rate back to normal".into(),
        root_causes: vec![
            "Memory limits were set from averages, below peak usage.".into(),
            "The runtime heap size was not derived from the container limit.".into(),
        ],
        whys: vec![
            "Why did requests fail? Because pods kept restarting.".into(),
            "Why? Because they exceeded their memory limit and were OOMKilled.".into(),
            "Why? Because the limit was lowered below peak usage.".into(),
            "Why? Because the sizing looked at 7-day averages.".into(),
        ],
        lessons: vec![
            "Right-size from peaks, not averages.".into(),
            "Resource changes deserve the same rollout care as code.".into(),
        ],
        actions: vec![
            "Alert on OOMKilled containers.".into(),
            "Use p99 over 30 days for limit recommendations.".into(),
            "Derive heap size from the container memory limit.".into(),
        ],
        mitigations: vec!["rollback", "scale-out"],
        ..Default::default()
    }
}

fn deploy_missing_env(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (prev, ver) = c.ver_pair();
    let cd = c.p(&["argocd", "github-actions", "gitlab-ci", "jenkins"]);
    let cd_name = match cd {
        "argocd" => "Argo CD",
        "github-actions" => "GitHub Actions",
        "gitlab-ci" => "GitLab CI",
        _ => "Jenkins",
    };
    let (what, err) = c.pk(vec![
        ("a new required environment variable, `PAYMENT_WEBHOOK_SECRET`, that was set in staging but not in production", "panic: required config PAYMENT_WEBHOOK_SECRET is not set"),
        ("a renamed config key that production still had under its old name", "ConfigError: missing key 'upstream.base_url'"),
        ("a database schema assumption: the new code read a column that only the next migration adds", "ERROR: column \"region_code\" does not exist"),
        ("a serialisation change that old clients could not parse", "failed to decode response: unknown field `items_v2`"),
    ]);
    c.platform = c.p(&["kubernetes", "eks", "gke", "nomad"]);
    let slow = c.chance(0.4);
    Sc {
        trigger: "deploy",
        techs: vec![cd, c.platform, c.lang, "docker"],
        alert: "HighErrorRate".into(),
        detections: vec!["automated-alert", "automated-alert", "canary-analysis", "customer-report", "synthetic-monitoring"],
        cats: vec!["partial-outage", "increased-errors", "full-outage"],
        factors: vec!["staging-parity-gap", "no-canary", "insufficient-testing", "slow-rollback", "config-drift"],
        humans: vec!["time-pressure", "assumption-of-safety", "handoff"],
        title: c.ps(vec![
            format!("Release {ver} of {svc} failed in production on {}", what.split(',').next().unwrap_or(what)),
            format!("Bad deploy of {svc} {ver} rolled out to all instances"),
            format!("Deploy {ver} broke {svc}: worked in staging, not in production"),
        ]),
        summary: format!("Version {ver} of {svc} depended on {what}. The deploy went to all instances and the service failed with `{err}` until we rolled back to {prev}."),
        symptom: format!("{svc} error rate went from under 0.1% to {}%", c.pct.max(2)),
        effect: format!("Requests to {svc} failed with 500s"),
        happened: format!("{cd_name} rolled out {svc} {ver} on a weekday afternoon. The new pods started, passed their readiness checks and then failed on the first real request with `{err}`. Because readiness only checked that the process was listening, the rollout continued until every instance ran the new version."),
        why: format!("The release depended on {what}. Staging and production config are managed separately and nobody noticed the difference in review. The rollout had no canary step, and readiness checks did not exercise the code path that failed. {}", if slow { "Rolling back took longer than it should: the previous image had been garbage-collected from the registry and had to be rebuilt." } else { "" }),
        fix: format!("{} rolled back to {prev}{}. {} then fixed the production config and redeployed {ver} through a canary the next day.", cap(&oc), if slow { ", after rebuilding its image" } else { " with one command" }, cap(&e2)),
        start_event: format!("{cd_name} starts rollout of {ver}"),
        events: vec![
            "Error rate climbs as new pods take traffic".into(),
            format!("Logs show `{err}`"),
            "Decision to roll back".into(),
        ],
        mitigate_event: format!("Rolled back to {prev}"),
        resolve_event: format!("{ver} redeployed with corrected configuration"),
        root_causes: vec![
            format!("The release depended on {what}."),
            "Readiness checks did not exercise real request handling.".into(),
            "The rollout had no canary stage.".into(),
        ],
        whys: vec![
            "Why did requests fail? Because the new version errored on every request.".into(),
            format!("Why? Because of {what}."),
            "Why was it not caught in staging? Because staging config differs from production.".into(),
            "Why did it reach every instance? Because readiness checks passed and there was no canary.".into(),
        ],
        lessons: vec![
            "Readiness should mean ready to serve, not just listening.".into(),
            "Staging and production config should come from the same source.".into(),
            "Keep the previous release's artefacts until the new one has proven itself.".into(),
        ],
        actions: vec![
            "Add a canary stage with automatic rollback on error rate.".into(),
            "Validate required config at startup and fail readiness if missing.".into(),
            "Diff staging and production config in the deploy pipeline.".into(),
            "Retain the last 10 images per service in the registry.".into(),
        ],
        mitigations: vec!["rollback"],
        ..Default::default()
    }
}

fn deploy_kafka_rebalance(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let consumers = c.n(12, 96);
    let lag = c.n(2, 80) * 100_000;
    let parts = c.n(4, 16) * 12;
    let rebalances = c.n(30, 300);
    c.lang = c.p(&["java", "go"]);
    Sc {
        trigger: "deploy",
        techs: vec!["kafka", c.p(&["kubernetes", "eks"]), c.lang, if c.lang == "java" { "jvm" } else { "prometheus" }],
        alert: "KafkaConsumerLagHigh".into(),
        detections: vec!["automated-alert", "automated-alert", "internal-user-report"],
        cats: vec!["degraded-performance", "increased-latency"],
        factors: vec!["inadequate-timeouts", "insufficient-testing", "tight-coupling", "technical-debt"],
        humans: vec!["knowledge-gap", "confirmation-bias", "on-call-overload"],
        title: c.ps(vec![
            format!("Rolling deploy triggered a Kafka rebalance storm; lag reached {lag} messages"),
            format!("{rebalances} consumer group rebalances during one deploy of {svc}"),
            "Kafka consumer lag after a rebalance storm during a rolling restart".into(),
        ]),
        summary: format!("A rolling deploy of {svc}'s {consumers} Kafka consumers caused the consumer group to rebalance {rebalances} times. With the eager rebalancing protocol every rebalance stopped all consumers, processing nearly stopped and lag grew to {lag} messages."),
        symptom: format!("consumer lag on the {parts}-partition topic passed {lag} messages and kept growing"),
        effect: "Events were processed with a delay of up to an hour; downstream views were stale".into(),
        happened: format!("We deployed a routine change to {svc}, which consumes a {parts}-partition topic with {consumers} consumers. The deploy restarts pods a few at a time. Every pod leaving or joining the group triggered a rebalance, and with the eager protocol all consumers revoke all partitions each time. Slow startup meant new pods joined just as the next ones left, so the group spent most of the deploy rebalancing."),
        why: "The consumers used the default eager assignor and no static membership. `max.poll.interval.ms` was also lower than the time a batch takes during cache warm-up, so some consumers were kicked out of the group mid-batch, adding more rebalances. We had seen smaller versions of this before and treated the lag alert as normal during deploys.".to_string(),
        fix: format!("{} paused the deploy so the group could settle, and lag started draining. {} later switched the consumers to the cooperative sticky assignor with static membership (`group.instance.id` per pod) and raised `max.poll.interval.ms`. The next deploy caused no visible lag.", cap(&oc), cap(&e2)),
        start_event: format!("Rolling deploy of {svc} starts"),
        events: vec![
            "Consumer group in constant PreparingRebalance state".into(),
            "Lag alert fires; deploy continues".into(),
            "Rollout paused".into(),
        ],
        mitigate_event: "Group stable; lag draining".into(),
        resolve_event: "Lag back to zero".into(),
        root_causes: vec![
            "Eager rebalancing stops every consumer on each membership change.".into(),
            "No static membership, so every restart caused two rebalances.".into(),
            "max.poll.interval.ms was lower than batch time during warm-up.".into(),
        ],
        whys: vec![
            "Why did lag grow? Because consumers were mostly rebalancing, not consuming.".into(),
            "Why so many rebalances? Because each pod restart left and rejoined the group.".into(),
            "Why did that stop everyone? Because we used the eager assignor.".into(),
            "Why had we not fixed it? Because lag during deploys was considered normal.".into(),
        ],
        lessons: vec![
            "Lag during deploys is not normal; it is a design problem.".into(),
            "Kafka client defaults are not tuned for rolling deploys on Kubernetes.".into(),
        ],
        actions: vec![
            "Use cooperative sticky assignment and static group membership.".into(),
            "Raise max.poll.interval.ms and cap batch size.".into(),
            "Alert on rebalance rate, not only on lag.".into(),
        ],
        mitigations: vec!["config-change", "wait-it-out"],
        ..Default::default()
    }
}

fn xid_wraparound(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let table = c.p(&[
        "events",
        "audit_log",
        "order_items",
        "sessions",
        "ledger_entries",
    ]);
    let size = c.n(200, 4000);
    let hosted = c.p(&["rds", "linux", "zfs"]);
    let mut sc = Sc {
        trigger: "capacity-exhaustion",
        techs: vec!["postgresql", hosted, c.lang],
        alert: "PostgresXIDAgeHigh".into(),
        detections: vec!["automated-alert", "engineer-noticed"],
        cats: vec!["full-outage", "partial-outage"],
        factors: vec!["missing-monitoring", "knowledge-silo", "technical-debt", "insufficient-capacity-planning"],
        humans: vec!["knowledge-gap", "normalisation-of-deviance", "fatigue"],
        root_causes: vec![
            format!("Autovacuum could not freeze the {size} GB `{table}` table fast enough and was cancelled repeatedly."),
            "A long-running idle-in-transaction session held back the xmin horizon.".into(),
            "Transaction ID age was not monitored.".into(),
        ],
        whys: vec![
            "Why did writes stop? Because PostgreSQL refused new transaction IDs to prevent wraparound.".into(),
            "Why? Because the oldest unfrozen transaction ID was close to 2 billion transactions old.".into(),
            format!("Why? Because autovacuum never finished freezing `{table}`."),
            "Why? Because it was throttled and cancelled, and an idle transaction held back the horizon.".into(),
            "Why did nobody notice? Because we did not monitor transaction ID age.".into(),
        ],
        lessons: vec![
            "Transaction ID age is a capacity metric like disk space; graph and alert on it.".into(),
            "Autovacuum defaults do not fit very large, write-heavy tables.".into(),
            "Idle-in-transaction sessions are not harmless.".into(),
        ],
        actions: vec![
            "Alert when age(datfrozenxid) passes 500 million.".into(),
            "Tune autovacuum cost limits for the largest tables.".into(),
            "Set idle_in_transaction_session_timeout.".into(),
            "Partition the largest append-only tables.".into(),
        ],
        ..Default::default()
    };
    if c.nm {
        sc.title =
            format!("PostgreSQL transaction ID age reached 1.4 billion on the `{table}` table");
        sc.summary = format!("An engineer noticed that transaction ID age on our main PostgreSQL database was at 1.4 billion, about two weeks from the point where PostgreSQL stops accepting writes. A manual VACUUM FREEZE on the {size} GB `{table}` table fixed it.");
        sc.detections = vec!["engineer-noticed", "audit-or-review"];
        sc.symptom = "transaction ID age on the main database was 1.4 billion".into();
        sc.effect = "No user impact".into();
        sc.happened = format!("While looking into slow autovacuum runs, {oc} checked `age(datfrozenxid)` and found it at 1.4 billion. At our write rate, PostgreSQL would have forced a shutdown of writes in about two weeks.");
        sc.why = format!("Autovacuum on `{table}` was repeatedly cancelled by lock conflicts from a nightly job and never completed an aggressive pass.");
        sc.fix = format!("{} ran `VACUUM (FREEZE, VERBOSE)` on `{table}` over a weekend with raised cost limits. Age dropped to 200 million.", cap(&e2));
        sc.start_event = "High transaction ID age noticed".into();
        sc.events = vec!["Manual VACUUM FREEZE started".into()];
        sc.mitigate_event = "VACUUM FREEZE complete".into();
        sc.resolve_event = "XID age alerting in place".into();
        sc.mitigations = vec!["config-change"];
        return sc;
    }
    sc.title = c.ps(vec![
        "PostgreSQL stopped accepting writes to prevent transaction ID wraparound".into(),
        format!("Transaction ID wraparound protection took down {svc}"),
        format!("Autovacuum fell behind on a {size} GB table until PostgreSQL refused writes"),
    ]);
    sc.summary = format!("Our main PostgreSQL database stopped accepting write transactions to protect itself from transaction ID wraparound. Autovacuum had not frozen the {size} GB `{table}` table in months. Writes were down until a single-user-mode vacuum finished.");
    sc.symptom = "every write failed with `database is not accepting commands to avoid wraparound data loss`".into();
    sc.effect = format!("All writes through {svc} failed; reads kept working");
    sc.happened = "All writes started failing with `ERROR: database is not accepting commands to avoid wraparound data loss in database \"app\"`. Reads worked. The logs had been warning `database \"app\" must be vacuumed within 10000000 transactions` for days, but nobody read PostgreSQL warnings on that host.".to_string();
    sc.why = format!("The `{table}` table gets a constant stream of inserts and grew to {size} GB. Autovacuum's anti-wraparound pass on it was throttled by default cost limits and kept being cancelled by a nightly job taking conflicting locks. An application session idle in transaction for days also held back the horizon. We did not graph transaction ID age at all.");
    sc.fix = format!("{} stopped the application and {e2} ran VACUUM FREEZE on the table with cost limits removed. It took {} on that table alone. We then restarted the application and watched XID age drop below 200 million.", cap(&oc), dur(c.ttm.saturating_sub(c.ttd).max(30)));
    sc.start_event = "PostgreSQL begins refusing write transactions".into();
    sc.events = vec![
        "Wraparound error identified".into(),
        "Idle-in-transaction session terminated".into(),
        format!("VACUUM FREEZE on `{table}` started"),
        "Vacuum progress tracked in pg_stat_progress_vacuum".into(),
    ];
    sc.mitigate_event = "Vacuum complete; writes accepted again".into();
    sc.resolve_event = "XID age under 200 million; monitoring added".into();
    sc.mitigations = vec!["config-change", "restart", "wait-it-out"];
    sc
}

fn search_cluster_heap(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let es = c.p(&["elasticsearch", "opensearch"]);
    let es_name = if es == "elasticsearch" {
        "Elasticsearch"
    } else {
        "OpenSearch"
    };
    let shards = c.n(8, 40) * 1000;
    let nodes = c.n(3, 12);
    let fields = c.n(5, 90) * 1000;
    let cause = c.pk(vec![
        format!("a logging change that indexed every JSON key from user payloads as its own field, {fields} new fields in a day"),
        format!("daily indices with 5 shards each kept for two years, {shards} shards on {nodes} data nodes"),
    ]);
    Sc {
        trigger: "capacity-exhaustion",
        techs: vec![es, "java", "jvm", c.p(&["kubernetes", "ec2", "linux"])],
        alert: "SearchClusterRed".into(),
        detections: vec!["automated-alert", "internal-user-report", "customer-report"],
        cats: vec!["partial-outage", "degraded-performance", "increased-latency"],
        factors: vec!["insufficient-capacity-planning", "missing-monitoring", "technical-debt", "unclear-ownership"],
        humans: vec!["normalisation-of-deviance", "on-call-overload", "knowledge-gap"],
        title: c.ps(vec![
            format!("{es_name} cluster went red under heap pressure from {cause_short}", cause_short = if cause.starts_with('a') { "a mapping explosion" } else { "too many shards" }),
            format!("{} search unavailable: {es_name} master nodes out of heap", cap(&svc)),
        ]),
        summary: format!("Our {es_name} cluster ran out of JVM heap because of {cause}. Master nodes spent most of their time in garbage collection, the cluster went red and search in {svc} failed."),
        symptom: format!("the {es_name} cluster status was red and search requests timed out"),
        effect: format!("Search in {svc} failed or returned partial results"),
        happened: "Search latency climbed over an hour and then searches started failing. `_cluster/health` showed red with unassigned shards. Master node logs showed `[gc][old] duration [14.2s]` repeatedly, and nodes dropped out of the cluster as they failed to answer pings.".to_string(),
        why: format!("The cause was {cause}. Cluster state and per-shard overhead live on the heap, and the masters had the same 8 GB heap they had when the cluster was a tenth of the size. Heap usage had been above 85% for weeks, and the alert for it was muted as noisy."),
        fix: format!("{} closed the oldest indices to free heap, and {e2} raised the master heap and restarted them one at a time. Shards reallocated over {}. We have since introduced index lifecycle policies and a strict mapping.", cap(&oc), dur(c.ttr.saturating_sub(c.ttm).max(20))),
        start_event: "Search latency starts climbing".into(),
        events: vec![
            "Cluster red; masters in long GC pauses".into(),
            "Oldest indices closed to free heap".into(),
            "Masters restarted with larger heap".into(),
        ],
        mitigate_event: "Cluster yellow; searches succeeding".into(),
        resolve_event: "Cluster green; all shards assigned".into(),
        root_causes: vec![
            format!("Heap exhausted by {cause}."),
            "Heap usage alert was muted.".into(),
            "No index lifecycle or mapping limits.".into(),
        ],
        whys: vec![
            "Why did search fail? Because the cluster was red.".into(),
            "Why? Because master nodes were stuck in garbage collection.".into(),
            "Why? Because cluster state outgrew their heap.".into(),
            "Why? Because nothing limited shard count or mappings.".into(),
        ],
        lessons: vec![
            "Muting a noisy alert without fixing the cause just delays the incident.".into(),
            "Search clusters need lifecycle management from day one.".into(),
        ],
        actions: vec![
            "Add index lifecycle policies to delete indices after 90 days.".into(),
            "Set dynamic: strict on log mappings.".into(),
            "Re-enable the heap alert at a threshold that means something.".into(),
        ],
        mitigations: vec!["shed-load", "scale-up", "restart"],
        ..Default::default()
    }
}

fn traffic_spike_campaign(c: &mut Ctx) -> Sc {
    let V {
        svc, oc, e2, lang, ..
    } = c.v();
    let mult = c.n(4, 30);
    let what = c.p(&[
        "a TV advertisement aired during a national football match",
        "a celebrity mentioned us on social media",
        "a marketing e-mail to 2 million subscribers went out all at once",
        "a sale that started at the same minute in every time zone",
        "a news article linking to a page of ours",
    ]);
    let db = c.p(&["postgresql", "mysql", "mongodb"]);
    c.platform = c.p(&["kubernetes", "eks", "gke", "ec2"]);
    let cdn = c.p(&["cloudfront", "cloudflare", "fastly", "varnish"]);
    Sc {
        trigger: "traffic-spike",
        techs: vec![c.platform, db, cdn, c.lang],
        alert: "HighErrorRate".into(),
        detections: vec!["automated-alert", "automated-alert", "social-media", "customer-report"],
        cats: vec!["partial-outage", "increased-latency", "increased-errors", "full-outage"],
        factors: vec!["insufficient-capacity-planning", "missing-rate-limiting", "single-point-of-failure", "unclear-ownership"],
        humans: vec!["communication-breakdown", "time-pressure", "on-call-overload"],
        title: c.ps(vec![
            format!("{mult}x traffic spike after {what}"),
            format!("{} overwhelmed by a marketing-driven traffic spike", cap(&svc)),
            "Autoscaling was too slow for a sudden traffic spike".into(),
        ]),
        summary: format!("Traffic to {svc} went up {mult} times within two minutes after {what}. Autoscaling could not add capacity fast enough and the database connection limit was reached, so many visitors got errors at the moment we most wanted them."),
        symptom: format!("requests per second to {svc} were {mult} times the normal peak and errors were climbing"),
        effect: "Many visitors saw error pages or very slow pages".into(),
        happened: format!("Traffic to {svc} jumped {mult}x in two minutes after {what}. Most of the extra traffic bypassed the {cdn} cache because the landing page was personalised. The {lang} application scaled out, but new instances took four minutes to become ready and each opened a full connection pool, which pushed the database to its connection limit. From then on new instances made things worse."),
        why: "Nobody told engineering about the campaign. Autoscaling was tuned for the slow daily curve, not for a step change. The landing page could have been cached, but was not, and there was no limit on total database connections across all instances.".to_string(),
        fix: format!("{} pre-scaled the application and {e2} switched the landing page to a cached static variant, which took most load off. We raised the database connection limit temporarily and capped the autoscaler until load settled.", cap(&oc)),
        start_event: format!("Traffic spike begins: {what}"),
        events: vec![
            "Autoscaler adds instances; each opens a full pool".into(),
            "Database at max connections".into(),
            "Landing page switched to cached variant".into(),
        ],
        mitigate_event: "Error rate under 1%".into(),
        resolve_event: "Traffic back to normal levels; capacity scaled back".into(),
        root_causes: vec![
            "A campaign drove a step change in traffic that autoscaling could not follow.".into(),
            "The landing page was not cacheable.".into(),
            "Total database connections grew with instance count without a limit.".into(),
        ],
        whys: vec![
            "Why did visitors get errors? Because the application could not reach the database.".into(),
            "Why? Because the database hit its connection limit.".into(),
            "Why? Because every new instance opened a full pool during scale-out.".into(),
            "Why was scale-out needed so fast? Because nobody knew the campaign was coming.".into(),
        ],
        lessons: vec![
            "Marketing calendars are an input to capacity planning.".into(),
            "Scaling the stateless tier can overload the stateful one.".into(),
        ],
        actions: vec![
            "Add a launch checklist with engineering sign-off for campaigns.".into(),
            "Put a connection pooler in front of the database.".into(),
            "Make campaign landing pages cacheable at the CDN.".into(),
        ],
        mitigations: vec!["scale-out", "shed-load", "config-change"],
        ..Default::default()
    }
}

fn dependency_vendor_down(c: &mut Ctx) -> Sc {
    let V {
        svc, oc, e2, lang, ..
    } = c.v();
    let (vendor, vid, what) = c.pk(vec![
        ("Stripe", "stripe", "payment"),
        ("SendGrid", "sendgrid", "e-mail"),
        ("Okta", "okta", "single sign-on"),
        ("Datadog", "datadog", "metrics"),
    ]);
    let threads = c.p(&["200", "400", "64", "128"]);
    let timeout = c.p(&["30", "60", "120"]);
    Sc {
        trigger: "dependency-failure",
        techs: vec![vid, c.lang, c.p(&["kubernetes", "ec2", "nginx"]), "tcp"],
        alert: "WorkerPoolSaturated".into(),
        vendor: vendor.to_string(),
        detections: vec!["automated-alert", "customer-report", "vendor-notification"],
        cats: vec!["partial-outage", "increased-latency", "full-outage"],
        factors: vec!["no-circuit-breaker", "inadequate-timeouts", "tight-coupling", "vendor-opacity"],
        humans: vec!["confirmation-bias", "time-pressure", "communication-breakdown"],
        title: c.ps(vec![
            format!("{} outage at {vendor} took our whole site down, not just {what}", cap(what)),
            format!("Slow {what} provider exhausted {svc}'s worker threads"),
            format!("No timeout, no circuit breaker: a {vendor} slowdown became our outage"),
        ]),
        summary: format!("{vendor} had a partial outage where requests hung instead of failing. {} called it synchronously with a {timeout}-second timeout from its request threads, all {threads} threads ended up waiting, and unrelated pages stopped loading too.", cap(&svc)),
        symptom: format!("all {threads} request threads of {svc} were busy and pages unrelated to {what} were timing out"),
        effect: format!("Most pages of {svc} were slow or failed, not only {what} features"),
        happened: format!("{vendor} started answering slowly: most calls hung for the full timeout. Our {lang} service calls it synchronously while handling the user's request. Within minutes every request thread was waiting on {vendor}, and requests that had nothing to do with {what} queued behind them and timed out at the load balancer."),
        why: format!("The client used a {timeout}-second timeout, copied from an example, and there was no circuit breaker or separate thread pool for the dependency. A dependency that fails fast would have been harmless; one that hangs took all our capacity."),
        fix: format!("{} turned off the {what} feature with a config switch, which freed the threads at once. {} added a 2-second timeout, a bulkhead and a circuit breaker around the client; {vendor} recovered on their side {} later.", cap(&oc), cap(&e2), dur(c.ttr.saturating_sub(c.ttm).max(15))),
        start_event: format!("{vendor} starts responding slowly"),
        events: vec![
            "Thread dumps show all workers waiting on the vendor API".into(),
            format!("{vendor} status page shows degraded performance"),
            format!("{} feature switched off", cap(what)),
        ],
        mitigate_event: "Thread pool recovered; site responsive".into(),
        resolve_event: format!("{vendor} recovered; feature re-enabled behind a circuit breaker"),
        root_causes: vec![
            format!("{vendor} calls had a {timeout}-second timeout and no circuit breaker."),
            "Dependency calls shared the request thread pool with everything else.".into(),
            format!("{vendor} had a partial outage."),
        ],
        whys: vec![
            "Why did the whole site fail? Because all request threads were busy.".into(),
            format!("Why? Because they waited on {vendor}."),
            format!("Why so long? Because the timeout was {timeout} seconds."),
            "Why did it affect other pages? Because there was no bulkhead between dependencies.".into(),
        ],
        lessons: vec![
            "A slow dependency is more dangerous than a dead one.".into(),
            "Every remote call needs a deliberate timeout.".into(),
            "Optional features must degrade on their own.".into(),
        ],
        actions: vec![
            "Audit timeouts on all outbound HTTP clients.".into(),
            "Add circuit breakers and bulkheads around third-party APIs.".into(),
            "Make the feature degrade gracefully when the vendor is down.".into(),
        ],
        mitigations: vec!["feature-flag-off", "hotfix", "wait-it-out"],
        ..Default::default()
    }
}

fn hardware_disk_ceph(c: &mut Ctx) -> Sc {
    let V { oc, e2, .. } = c.v();
    let store = c.p(&["ceph", "zfs", "nfs"]);
    let osd = c.n(3, 120);
    let pg = c.n(40, 900);
    let story = match store {
        "ceph" => format!("A disk behind OSD {osd} started returning read errors slowly instead of failing outright. Ceph kept it in the cluster, and {pg} placement groups that had a replica on it served slow reads. Client I/O latency on volumes backed by those placement groups reached several seconds."),
        "zfs" => format!("One disk in a ZFS pool on the storage host started timing out on writes. ZFS kept retrying it rather than faulting it, and `zpool status` showed {pg} checksum errors. Every write to the pool waited on the slow disk."),
        _ => "The RAID controller on the NFS server hosting shared storage started reporting a degraded array and then hung for 30 to 90 seconds at a time. Every NFS client blocked in uninterruptible I/O during those hangs.".into(),
    };
    Sc {
        trigger: "hardware-failure",
        techs: vec![store, "linux", c.p(&["kubernetes", "postgresql", "nomad"])],
        alert: "StorageLatencyHigh".into(),
        detections: vec!["automated-alert", "engineer-noticed", "internal-user-report"],
        cats: vec!["degraded-performance", "increased-latency", "partial-outage"],
        factors: vec!["single-point-of-failure", "missing-monitoring", "untested-recovery", "technical-debt"],
        humans: vec!["confirmation-bias", "fatigue", "knowledge-gap"],
        title: c.ps(vec![
            "A slowly failing disk degraded storage for the whole cluster".into(),
            format!("Half-dead disk in the {store} storage layer caused cluster-wide latency"),
            "Grey failure: a disk that failed slowly instead of cleanly".into(),
        ]),
        summary: format!("A disk in our {store} storage began failing slowly instead of dying. The storage layer kept using it, and every service on that storage saw multi-second I/O latency until we took the disk out by hand."),
        symptom: "I/O latency on shared storage went from milliseconds to seconds".into(),
        effect: "Services using shared storage were very slow; some requests timed out".into(),
        happened: format!("{story} Applications saw it as random slowness across many services, and for the first part of the incident we suspected the network."),
        why: "The disk did not fail cleanly: it answered slowly and intermittently. Our storage health checks look for disks that fail, not disks that are slow, so nothing took it out of service automatically. SMART warnings for the disk had been logged for days but were not alerted on.".into(),
        fix: format!("{} found the slow disk from per-device latency with iostat and marked it out. {} replaced it the next day and we let the data rebalance at a limited rate so recovery traffic would not cause a second slowdown.", cap(&oc), cap(&e2)),
        start_event: "Disk begins failing slowly".into(),
        events: vec![
            "Network ruled out".into(),
            "iostat shows one device with multi-second await".into(),
            "Disk marked out of service".into(),
        ],
        mitigate_event: "Latency back to normal with the disk out".into(),
        resolve_event: "Disk replaced; rebalance complete".into(),
        root_causes: vec![
            "A disk failed slowly and intermittently rather than cleanly.".into(),
            "Storage health checks did not treat slow devices as failed.".into(),
            "SMART warnings were logged but not alerted on.".into(),
        ],
        whys: vec![
            "Why were services slow? Because storage I/O took seconds.".into(),
            "Why? Because one disk was answering slowly.".into(),
            "Why was it still in use? Because it had not failed outright.".into(),
        ],
        lessons: vec![
            "Grey failures are harder to detect than crashes; measure latency per device.".into(),
            "Look at the storage layer early when many unrelated services slow down together.".into(),
        ],
        actions: vec![
            "Alert on per-device latency outliers.".into(),
            "Alert on SMART reallocated and pending sector counts.".into(),
            "Automatically mark out disks with sustained high latency.".into(),
        ],
        mitigations: vec!["drain-node", "wait-it-out"],
        ..Default::default()
    }
}

fn software_bug_nil(c: &mut Ctx) -> Sc {
    let V {
        svc, svc2, oc, e2, ..
    } = c.v();
    let (lang_id, err) = c.pk(vec![
        ("go", "panic: runtime error: invalid memory address or nil pointer dereference"),
        ("java", "java.lang.NullPointerException: Cannot invoke \"Address.getCountry()\" because \"customer.address\" is null"),
        ("python", "TypeError: 'NoneType' object is not subscriptable"),
        ("nodejs", "TypeError: Cannot read properties of undefined (reading 'items')"),
        ("rust", "thread 'tokio-runtime-worker' panicked at 'called `Option::unwrap()` on a `None` value'"),
    ]);
    c.lang = lang_id;
    let ver = c.ver();
    let trig = c.p(&[
        "a customer with no billing address",
        "an empty response from the pricing service",
        "an order with zero line items",
        "a user whose display name contained only whitespace",
    ]);
    Sc {
        trigger: "software-bug",
        techs: vec![lang_id, "grpc", c.p(&["kubernetes", "nomad", "docker"])],
        alert: "PodRestartsHigh".into(),
        detections: vec!["automated-alert", "automated-alert", "customer-report"],
        cats: vec!["partial-outage", "increased-errors"],
        factors: vec!["insufficient-testing", "tight-coupling", "technical-debt"],
        humans: vec!["assumption-of-safety", "time-pressure"],
        title: c.ps(vec![
            format!("Crash loop in {svc} triggered by {trig}"),
            format!("One bad record crashed every instance of {svc}"),
            format!("Unhandled edge case in {svc} {ver} took down {svc2}"),
        ]),
        summary: format!("{} crashed on {trig}: `{err}`. The record was retried by every instance in turn, so all of them crashed repeatedly and {svc2}, which depends on it over gRPC, failed too.", cap(&svc)),
        symptom: format!("instances of {svc} were restarting every few seconds"),
        effect: format!("Features backed by {svc} and {svc2} returned errors"),
        happened: format!("{} {ver} had been running for a week when {trig} came in. Processing it hit `{err}`, which killed the process. The request was retried against the next instance, which also crashed, until all instances were in a restart loop. gRPC calls from {svc2} failed with `UNAVAILABLE`.", cap(&svc)),
        why: "The code assumed the field was always present. Tests built fixtures from a factory that always filled it in. The process had no recovery around request handling, and callers retried failed requests without limit, spreading the poison request to every instance.".to_string(),
        fix: format!("{} blocked the offending request at the gateway, which stopped the crash loop. {} shipped a fix handling the missing value and added recovery so one request cannot take down a process.", cap(&oc), cap(&e2)),
        start_event: format!("First request with {trig} arrives"),
        events: vec![
            "All instances crash looping".into(),
            "Stack trace points at missing value handling".into(),
            "Poison request blocked at the gateway".into(),
        ],
        mitigate_event: "Instances stable".into(),
        resolve_event: "Fix deployed and request unblocked".into(),
        root_causes: vec![
            format!("Unhandled missing value for {trig}."),
            "No per-request recovery; one request crashed the process.".into(),
            "Unlimited retries spread the poison request to every instance.".into(),
        ],
        whys: vec![
            "Why did the service go down? Because every instance crashed.".into(),
            "Why? Because each processed the same request.".into(),
            "Why did it crash them? Because of an unhandled missing value.".into(),
            "Why was it unhandled? Because test fixtures always had the value.".into(),
        ],
        lessons: vec![
            "Retries can turn one bad input into a fleet-wide outage.".into(),
            "Tests should generate edge cases, not just happy-path fixtures.".into(),
        ],
        actions: vec![
            "Add recovery middleware around request handling.".into(),
            "Limit retries of failed requests across instances.".into(),
            "Add property-based tests for optional fields.".into(),
        ],
        mitigations: vec!["block-traffic", "hotfix"],
        ..Default::default()
    }
}

fn software_bug_duplicate_jobs(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (queue, lang) = c.pk(vec![
        ("sidekiq", "ruby"),
        ("celery", "python"),
        ("rabbitmq", "nodejs"),
        ("sqs", "go"),
    ]);
    c.lang = lang;
    let dups = c.n(2, 90) * 100;
    let what = c.p(&["e-mails", "push notifications", "invoices", "SMS messages"]);
    let sender = if what == "e-mails" || what == "invoices" {
        "sendgrid"
    } else {
        "redis"
    };
    Sc {
        trigger: "software-bug",
        techs: vec![queue, lang, sender, c.p(&["postgresql", "mysql"])],
        alert: "OutboundMessageRateHigh".into(),
        detections: vec!["customer-report", "social-media", "automated-alert"],
        cats: vec!["degraded-performance", "increased-errors"],
        factors: vec!["insufficient-testing", "inadequate-timeouts", "missing-monitoring"],
        humans: vec!["assumption-of-safety", "knowledge-gap"],
        title: c.ps(vec![
            format!("Customers received the same {} up to six times", what.trim_end_matches('s')),
            format!("{dups} duplicate {what} sent by a job that was not idempotent"),
        ]),
        summary: format!("A background job in {svc} that sends {what} was not idempotent. When jobs ran longer than the queue's visibility timeout they were handed to a second worker, and {dups} customers got duplicates."),
        symptom: format!("customers were reporting duplicate {what}"),
        effect: format!("Customers received duplicate {what}"),
        happened: format!("A slow query made the {what} job take longer than usual. The queue considered long-running jobs lost and gave them to another worker, which sent them again. Some jobs were delivered up to six times before the first copy finished."),
        why: "The job sent first and recorded the send afterwards, with no idempotency key. The visibility timeout of the queue was shorter than the worst-case job duration. This had happened on a smaller scale before without anyone connecting the complaints.".to_string(),
        fix: format!("{} paused the queue, and {e2} added an idempotency key written in the same transaction as the send record; duplicates stopped. We then raised the visibility timeout and fixed the slow query.", cap(&oc)),
        start_event: "Job duration starts exceeding visibility timeout".into(),
        events: vec![
            "Support reports duplicate messages".into(),
            "Queue paused".into(),
            "Idempotency fix deployed".into(),
        ],
        mitigate_event: "Queue resumed with idempotent job".into(),
        resolve_event: "Slow query fixed; apology sent to affected customers".into(),
        root_causes: vec![
            "The job was not idempotent.".into(),
            "Visibility timeout was shorter than the job's worst-case duration.".into(),
        ],
        whys: vec![
            "Why did customers get duplicates? Because jobs ran more than once.".into(),
            "Why? Because the queue redelivered jobs that ran past the visibility timeout.".into(),
            "Why did that send again? Because the job had no idempotency check.".into(),
        ],
        lessons: vec![
            "At-least-once delivery means every job must be safe to run twice.".into(),
        ],
        actions: vec![
            "Add idempotency keys to every job with external side effects.".into(),
            "Alert when job duration approaches the visibility timeout.".into(),
        ],
        mitigations: vec!["hotfix", "config-change"],
        ..Default::default()
    }
}

fn migration_table_lock(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (db, db_name) = c.pk(vec![
        ("postgresql", "PostgreSQL"),
        ("mysql", "MySQL"),
        ("mariadb", "MariaDB"),
    ]);
    let (fw, fw_lang) = c.pk(vec![
        ("rails", "ruby"),
        ("python", "python"),
        ("dotnet", "dotnet"),
        ("php", "php"),
    ]);
    let table = c.p(&[
        "orders",
        "users",
        "accounts",
        "bookings",
        "payments",
        "shipments",
    ]);
    let rows = c.n(20, 900);
    let ddl = c.pk(vec![
        format!("ALTER TABLE {table} ADD COLUMN archived boolean NOT NULL DEFAULT false"),
        format!("CREATE INDEX idx_{table}_created_at ON {table} (created_at)"),
        format!("ALTER TABLE {table} ALTER COLUMN reference TYPE varchar(64)"),
    ]);
    Sc {
        trigger: "database-migration",
        techs: vec![db, fw, fw_lang, c.p(&["github-actions", "gitlab-ci", "jenkins"])],
        alert: "DatabaseLockWaits".into(),
        detections: vec!["automated-alert", "automated-alert", "synthetic-monitoring", "customer-report"],
        cats: vec!["full-outage", "partial-outage", "increased-latency"],
        factors: vec!["insufficient-testing", "staging-parity-gap", "inadequate-timeouts", "poor-change-review"],
        humans: vec!["assumption-of-safety", "knowledge-gap", "time-pressure"],
        title: c.ps(vec![
            format!("Schema migration locked the {table} table for {}", dur(c.ttm.saturating_sub(c.ttd).max(3))),
            format!("`{ddl}` blocked all writes in production"),
            format!("A migration that took two seconds in staging locked {rows} million rows in production"),
        ]),
        summary: format!("A schema migration on the {rows} million row `{table}` table took a lock that blocked reads and writes. Queries piled up behind it, {svc} ran out of connections and returned errors until we killed the migration."),
        symptom: format!("queries on `{table}` were waiting on locks and {svc} ran out of database connections"),
        effect: format!("Pages and API calls that touch {table} failed"),
        happened: format!("The deploy pipeline ran a migration, `{ddl}`, on {db_name} before deploying the new code. In staging the table has a few thousand rows and it finished instantly. In production the table has {rows} million rows. The statement waited for, and then held, a lock on `{table}`; every query behind it queued, connection pools filled, and {svc} started failing health checks."),
        why: "The migration needed a lock that blocks other queries, and on a table this size it had to rewrite or scan every row. No lock timeout was set for migrations, so even waiting for the lock blocked all queries queued behind it. Staging data is too small to show this, and the review did not flag the statement as risky.".to_string(),
        fix: format!("{} cancelled the migration with `pg_cancel_backend`/`KILL QUERY` and traffic recovered within a minute. {} rewrote it as an online migration in steps, with `lock_timeout` set, and ran it during low traffic.", cap(&oc), cap(&e2)),
        start_event: "Migration starts as part of the deploy".into(),
        events: vec![
            "Connection pools exhausted".into(),
            "Lock graph shows everything waiting on the migration".into(),
            "Migration cancelled".into(),
        ],
        mitigate_event: "Migration cancelled; queries flowing".into(),
        resolve_event: "Online version of the migration completed".into(),
        root_causes: vec![
            format!("`{ddl}` took a blocking lock on a {rows} million row table."),
            "Migrations ran without a lock timeout.".into(),
            "Staging data volume did not resemble production.".into(),
        ],
        whys: vec![
            format!("Why did requests fail? Because queries on `{table}` were blocked."),
            "Why? Because a migration held a lock on the table.".into(),
            "Why so long? Because it had to process every row.".into(),
            "Why did we not expect it? Because staging has a tiny copy of the table.".into(),
        ],
        lessons: vec![
            "Every migration should set a lock timeout.".into(),
            "Know which DDL statements rewrite or lock tables in your database version.".into(),
        ],
        actions: vec![
            "Set lock_timeout for migration sessions.".into(),
            "Add a migration linter that flags blocking DDL.".into(),
            "Test migrations against a production-sized copy.".into(),
        ],
        mitigations: vec!["rollback"],
        ..Default::default()
    }
}

fn data_corruption_encoding(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let rows = c.n(3, 400) * 1000;
    let days = c.n(2, 20);
    let late = days * 1440 + c.n(0, 600);
    c.set_ttd(late);
    let (db, what) = c.pk(vec![
        (
            "mongodb",
            "customer names with non-ASCII characters were stored double-encoded",
        ),
        (
            "cassandra",
            "timestamps were written in local time but read as UTC",
        ),
        (
            "mysql",
            "amounts in currencies without minor units were multiplied by 100",
        ),
        (
            "postgresql",
            "a batch job overwrote the shipping address of orders with the billing address",
        ),
        (
            "dynamodb",
            "an update wrote partial items, dropping attributes not in the update",
        ),
    ]);
    Sc {
        trigger: "data-corruption",
        techs: vec![db, c.lang, c.p(&["kafka", "airflow", "spark"])],
        alert: "DataQualityCheckFailed".into(),
        detections: vec!["customer-report", "internal-user-report", "audit-or-review"],
        cats: vec!["data-loss", "increased-errors"],
        data_loss: true,
        plain_impact: true,
        factors: vec!["insufficient-testing", "missing-monitoring", "missing-backups", "tight-coupling"],
        humans: vec!["assumption-of-safety", "confirmation-bias", "handoff"],
        title: c.ps(vec![
            format!("{rows} records corrupted over {days} days: {what}"),
            format!("Silent data corruption in {svc} went unnoticed for {days} days"),
        ]),
        summary: format!("A code change in {svc} meant that {what}. It ran for {days} days before a customer noticed, affected {rows} records, and needed a repair script and some manual fixes."),
        symptom: format!("records written by {svc} were wrong: {what}"),
        effect: format!("{rows} customer records showed wrong data; some had to be corrected by hand"),
        happened: format!("{days} days before detection, we deployed a change to how {svc} writes records. From then on, {what}. Nothing failed: the writes succeeded and reads returned the wrong values. A customer eventually asked support why their data looked wrong."),
        why: "The change passed tests because the test data did not include the affected cases. There were no data quality checks on the written records, so the corruption was silent. Point-in-time backups only went back 7 days, so part of the original data had to be reconstructed from event logs.".into(),
        fix: format!("{} reverted the change to stop new corruption. {} wrote a repair script using the event log as the source of truth, tested it on a copy, and ran it in batches; about 2% of records needed manual review.", cap(&oc), cap(&e2)),
        start_event: "Change that corrupts writes deployed".into(),
        events: vec![
            "Customer reports wrong data".into(),
            "Bug reproduced; change reverted".into(),
            "Affected records identified from event logs".into(),
            "Repair script tested on a copy".into(),
        ],
        mitigate_event: "Corruption stopped; repair in progress".into(),
        resolve_event: "All affected records repaired or reviewed".into(),
        root_causes: vec![
            format!("A code change caused {what}."),
            "No data quality checks on written records.".into(),
            "Backup retention shorter than the time to detect.".into(),
        ],
        whys: vec![
            "Why was data wrong? Because of a bug in the write path.".into(),
            "Why was it not caught? Because tests lacked the affected cases.".into(),
            format!("Why did it run for {days} days? Because nothing checked the data after writing."),
        ],
        lessons: vec![
            "Silent corruption is worse than an outage: detection time is measured in days.".into(),
            "Keep an append-only source of truth to rebuild from.".into(),
        ],
        actions: vec![
            "Add data quality checks on key fields.".into(),
            "Extend point-in-time recovery to 35 days.".into(),
            "Add non-ASCII, time zone and currency cases to test fixtures.".into(),
        ],
        mitigations: vec!["rollback", "manual-data-repair"],
        ..Default::default()
    }
}

fn failover_stale_endpoint(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (db, db_name) = c.pk(vec![
        ("rds", "RDS"),
        ("mysql", "MySQL"),
        ("postgresql", "PostgreSQL"),
        ("redis-sentinel", "Redis"),
    ]);
    let cache = c.p(&["JVM DNS cache", "connection pool", "client library"]);
    if cache == "JVM DNS cache" {
        c.lang = "java";
    }
    Sc {
        trigger: "failover",
        techs: vec![db, "dns", c.lang, if cache == "JVM DNS cache" { "jvm" } else { "tcp" }],
        alert: "DatabaseWriteErrors".into(),
        detections: vec!["automated-alert", "automated-alert", "customer-report"],
        cats: vec!["increased-errors", "partial-outage"],
        factors: vec!["untested-recovery", "inadequate-timeouts", "hidden-shared-dependency", "staging-parity-gap"],
        humans: vec!["assumption-of-safety", "confirmation-bias"],
        title: c.ps(vec![
            format!("{db_name} failover worked, but {svc} kept writing to the old primary"),
            format!("Automatic failover took 30 seconds; our application took {}", dur(c.ttm.max(5))),
        ]),
        summary: format!("{db_name} failed over to a standby as designed. The {cache} in {svc} kept connections to the old primary, now read-only, so writes failed until the service was restarted."),
        symptom: format!("writes from {svc} failed with read-only errors"),
        effect: "Writes failed; reads mostly worked".into(),
        happened: format!("The primary database host had a kernel panic and {db_name} promoted the standby within 30 seconds. When the old primary came back it rejoined as a read-only replica. {} kept its existing connections and its cached address for the old primary, and every write failed with `cannot execute UPDATE in a read-only transaction` or `READONLY You can't write against a read only replica`.", cap(&svc)),
        why: format!("The {cache} held on to the old address: it had no maximum lifetime, and it did not reconnect on read-only errors, only on connection failures. Our failover tests restarted the application at the same time as the database, which hid the problem."),
        fix: format!("{} restarted {svc}, which picked up the new primary. {} set a maximum connection lifetime, a short DNS TTL in the runtime, and made read-only errors trigger a reconnect.", cap(&oc), cap(&e2)),
        start_event: "Primary host fails; standby promoted".into(),
        events: vec![
            "Old primary returns as read-only replica".into(),
            "Write errors identified as read-only errors".into(),
            format!("{} restarted", cap(&svc)),
        ],
        mitigate_event: "Writes succeeding".into(),
        resolve_event: "Connection lifetime and reconnect fixes deployed".into(),
        root_causes: vec![
            format!("The {cache} kept the old primary's address after failover."),
            "Read-only errors did not trigger reconnection.".into(),
            "Failover tests restarted the application, hiding the issue.".into(),
        ],
        whys: vec![
            "Why did writes fail? Because they went to a read-only replica.".into(),
            "Why? Because the application kept connections to the old primary.".into(),
            format!("Why? Because the {cache} never refreshed them."),
        ],
        lessons: vec![
            "Failover is an end-to-end property, not a database feature.".into(),
            "Test failover without touching the clients.".into(),
        ],
        actions: vec![
            "Set a maximum connection lifetime on all pools.".into(),
            "Reconnect on read-only errors.".into(),
            "Add client behaviour to the failover game day.".into(),
        ],
        mitigations: vec!["failover", "restart"],
        ..Default::default()
    }
}

fn maintenance_node_drain(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    c.platform = c.p(&["eks", "gke", "kubernetes"]);
    let nodes = c.n(6, 60);
    let replicas = c.n(2, 4);
    Sc {
        trigger: "scheduled-maintenance",
        techs: vec![c.platform, "kubernetes", "helm", c.p(&["calico", "cilium", "kube-proxy"])],
        alert: "DeploymentReplicasUnavailable".into(),
        detections: vec!["automated-alert", "synthetic-monitoring", "customer-report"],
        cats: vec!["full-outage", "partial-outage"],
        factors: vec!["missing-runbook", "single-point-of-failure", "insufficient-testing", "config-drift"],
        humans: vec!["assumption-of-safety", "fatigue", "ambiguous-runbook"],
        title: c.ps(vec![
            format!("Node pool upgrade evicted all {replicas} replicas of {svc} at once"),
            "Kubernetes node drain without a PodDisruptionBudget took a service offline".into(),
        ]),
        summary: format!("A scheduled node pool upgrade drained {nodes} nodes. {} had no PodDisruptionBudget and all {replicas} of its replicas ran on nodes drained in the same batch, so it had no running pods for several minutes.", cap(&svc)),
        symptom: format!("{svc} had zero ready pods"),
        effect: format!("{} was unavailable while its pods were rescheduled", cap(&svc)),
        happened: format!("We upgraded the node pool during the announced maintenance window. The upgrade drains nodes in batches. All {replicas} replicas of {svc} had been scheduled onto nodes in the same batch, and with no PodDisruptionBudget the drain evicted them together. The new pods then waited for image pulls and a slow start, during which there was nothing serving."),
        why: "The service's Helm chart never had a PodDisruptionBudget or pod anti-affinity; other services had them because they were copied from a newer template. The maintenance runbook assumed every service was protected.".into(),
        fix: format!("{} paused the upgrade and {e2} scaled up the deployment on the remaining nodes. We added a PodDisruptionBudget with minAvailable of 1 and topology spread constraints, then resumed the upgrade without further impact.", cap(&oc)),
        start_event: "Node pool upgrade starts".into(),
        events: vec![
            "Batch of nodes drained".into(),
            "All replicas evicted together".into(),
            "Upgrade paused".into(),
        ],
        mitigate_event: "Pods running and ready".into(),
        resolve_event: "Upgrade resumed and completed with PDBs in place".into(),
        root_causes: vec![
            "The service had no PodDisruptionBudget.".into(),
            "No anti-affinity or topology spread, so all replicas shared a drain batch.".into(),
        ],
        whys: vec![
            "Why was the service down? Because it had no running pods.".into(),
            "Why? Because the drain evicted all replicas at once.".into(),
            "Why? Because there was no PodDisruptionBudget.".into(),
            "Why? Because the chart predates our template that includes one.".into(),
        ],
        lessons: vec![
            "Cluster maintenance is only safe if every workload declares its disruption budget.".into(),
        ],
        actions: vec![
            "Enforce PodDisruptionBudgets with an admission policy.".into(),
            "Add topology spread constraints to the base chart.".into(),
        ],
        mitigations: vec!["scale-out", "config-change"],
        ..Default::default()
    }
}

fn maintenance_managed_db(c: &mut Ctx) -> Sc {
    let V {
        svc, oc, e2, cloud, ..
    } = c.v();
    let (db, eng) = match c.cloud {
        "aws" => ("rds", c.p(&["postgresql", "mysql"])),
        _ => (c.p(&["postgresql", "mysql"]), "linux"),
    };
    let minor = c.ver();
    Sc {
        trigger: "scheduled-maintenance",
        techs: vec![c.cloud, db, eng, c.lang],
        alert: "DatabaseConnectionErrors".into(),
        vendor: cloud.to_string(),
        detections: vec!["automated-alert", "customer-report", "vendor-notification"],
        cats: vec!["full-outage", "increased-errors"],
        factors: vec!["vendor-opacity", "unclear-ownership", "single-point-of-failure", "missing-monitoring"],
        humans: vec!["communication-breakdown", "assumption-of-safety"],
        title: c.ps(vec![
            "Provider maintenance window restarted our database during peak hours".into(),
            format!("Automatic minor version upgrade to {minor} restarted the primary database"),
        ]),
        summary: format!("{cloud} applied a minor version upgrade ({minor}) to our managed database during its maintenance window. The window was still the default, which fell in our peak hours, and the instance was not multi-zone, so the database was unavailable during the restart."),
        symptom: format!("{svc} could not connect to the database"),
        effect: format!("{} was unavailable during the database restart", cap(&svc)),
        happened: "The database went away without warning on our side. The provider event log showed `Applying minor version upgrade` and a restart. Because the instance was single-zone, there was no standby to fail over to. The upgrade and restart took several minutes, and the application's connection retries then added a burst of load.".to_string(),
        why: "The maintenance window had been left at the provider default, which in our time zone is a busy hour. Auto minor version upgrade was enabled. The notification e-mail went to an account owner address that nobody reads.".into(),
        fix: format!("We waited for the restart to finish; {} restarted application pods stuck with broken connections. {} moved the maintenance window to a quiet time, enabled multi-zone, and routed provider notifications to the team channel.", oc, cap(&e2)),
        start_event: "Provider maintenance begins".into(),
        events: vec!["Provider event log shows the upgrade".into(), "Database accepting connections again".into()],
        mitigate_event: "Application reconnected".into(),
        resolve_event: "Maintenance window moved; multi-zone enabled".into(),
        root_causes: vec![
            "Default maintenance window during peak hours.".into(),
            "Single-zone instance with no standby.".into(),
            "Provider notifications went to an unread mailbox.".into(),
        ],
        whys: vec![
            "Why was the database down? Because the provider restarted it for an upgrade.".into(),
            "Why during peak? Because the maintenance window was the default.".into(),
            "Why did it cause downtime? Because there was no standby.".into(),
        ],
        lessons: vec!["Check every provider default that can restart production.".into()],
        actions: vec![
            "Set maintenance windows explicitly for all managed databases.".into(),
            "Route provider notifications to the on-call channel.".into(),
        ],
        mitigations: vec!["wait-it-out", "restart"],
        ..Default::default()
    }
}
