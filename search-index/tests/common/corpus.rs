//! Thirty short, hand-written postmortems. Each is the obvious answer to at
//! least one query in `relevance.rs`; several are near neighbours on purpose
//! (two Redis incidents, two load-balancer incidents, two PostgreSQL ones).

use search_index::IndexedReport;

pub fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

struct R(IndexedReport);

fn r(n: u32, title: &str, summary: &str, narrative: &str) -> R {
    R(IndexedReport {
        id: id(n),
        title: title.into(),
        summary: summary.into(),
        narrative: narrative.into(),
        completeness: 50 + (n % 50) as u8,
        // Published in reverse order of number, a day apart, so the order by
        // publication differs from the order by incident month.
        published: Some(format!(
            "2026-{:02}-{:02}",
            1 + (40 - n) / 28,
            1 + (40 - n) % 28
        )),
        ..Default::default()
    })
}

impl R {
    fn tech(mut self, list: &[(&str, &str)]) -> R {
        self.0.technologies = list
            .iter()
            .map(|(c, i)| (c.to_string(), i.to_string()))
            .collect();
        self
    }
    fn trigger(mut self, t: &str) -> R {
        self.0.trigger = Some(t.into());
        self
    }
    fn factors(mut self, list: &[&str]) -> R {
        self.0.contributing_factors = list.iter().map(|s| s.to_string()).collect();
        self
    }
    fn mitigations(mut self, list: &[&str]) -> R {
        self.0.mitigations = list.iter().map(|s| s.to_string()).collect();
        self
    }
    /// industry, severity, detection, month
    fn meta(mut self, industry: &str, severity: &str, detection: &str, month: &str) -> R {
        self.0.industry = Some(industry.into());
        self.0.severity = Some(severity.into());
        self.0.detection = Some(detection.into());
        self.0.month = Some(month.into());
        self
    }
    fn times(mut self, ttd: u32, ttm: u32, ttr: u32) -> R {
        self.0.time_to_detect_minutes = Some(ttd);
        self.0.time_to_mitigate_minutes = Some(ttm);
        self.0.time_to_resolve_minutes = Some(ttr);
        self
    }
    fn root_causes(mut self, list: &[&str]) -> R {
        self.0.root_causes = list.iter().map(|s| s.to_string()).collect();
        self
    }
    fn lessons(mut self, list: &[&str]) -> R {
        self.0.lessons = list.iter().map(|s| s.to_string()).collect();
        self
    }
    fn timeline(mut self, list: &[&str]) -> R {
        self.0.timeline = list.iter().map(|s| s.to_string()).collect();
        self
    }
}

/// Queries an engineer would type, each with the report that is obviously
/// its best answer.
pub const RELEVANCE: &[(&str, u32)] = &[
    ("replica resync loop", 1),
    ("replica resync loop slows primary", 1),
    ("certificate expired load balancer", 2),
    ("DNS TTL", 3),
    ("BGP leak", 4),
    ("kafka rebalance storm", 5),
    ("postgres wraparound", 6),
    ("disk full", 7),
    ("leap second", 8),
    ("kubernetes eviction", 9),
    ("thundering herd", 10),
    ("S3 outage", 11),
    ("terraform destroyed database", 12),
    ("feature flag", 13),
    ("clock skew JWT", 14),
    ("connection pool exhausted", 15),
    ("\"split brain\"", 16),
    ("regex backtracking CPU", 17),
    ("daylight saving cron", 18),
    ("registry rate limit", 19),
    ("memory leak OOM", 20),
    ("rabbitmq memory alarm", 21),
    ("integer overflow primary key", 22),
    ("CDN cached private pages", 23),
    ("health check drained backends", 24),
    ("vault token expired", 25),
    ("zookeeper quorum", 26),
    ("redis evicted sessions", 27),
    ("etcd quota", 28),
    ("packet loss switch firmware", 29),
    ("title:kafka", 5),
];

pub fn reports() -> Vec<IndexedReport> {
    vec![
        r(1, "Redis replica stuck in a full resync loop slowed the primary",
          "A Redis replica repeatedly requested full resynchronisation, and every RDB snapshot the primary forked doubled its latency.",
          "After a network blip the replica reconnected, but the replication backlog was too small, so it asked for a full resync. \
           The transfer took longer than the output buffer limit allowed, the primary dropped the replica, and the cycle started again. \
           Each fork for the snapshot froze the primary for hundreds of milliseconds.")
            .tech(&[("database", "redis")]).trigger("network-change").factors(&["misconfiguration", "missing-monitoring"])
            .mitigations(&["config-change"]).meta("ecommerce", "sev2", "monitoring", "2022-03").times(12, 95, 240)
            .root_causes(&["repl-backlog-size far below the write rate", "client-output-buffer-limit for replicas too low"])
            .lessons(&["Size the replication backlog for the longest expected disconnect"]),
        r(2, "Expired TLS certificate on the public load balancer",
          "The certificate on the edge load balancer expired at midnight and every HTTPS client was refused.",
          "The certificate had been renewed by hand two years earlier and the renewal reminder went to a departed engineer. \
           At 00:00 UTC it expired; browsers and mobile clients failed the TLS handshake against the load balancer. \
           We installed a new certificate and moved renewals to an automated ACME job.")
            .tech(&[("load-balancer", "haproxy")]).trigger("certificate-expiry").factors(&["manual-process", "missing-monitoring"])
            .mitigations(&["config-change"]).meta("fintech", "sev1", "customer-report", "2021-11").times(22, 48, 180),
        r(3, "DNS record change lingered for hours because of a long TTL",
          "A DNS migration pointed the API hostname at new servers, but resolvers cached the old address for a day.",
          "The A record had a TTL of 86400 seconds. We lowered the TTL in the same change that moved the record, \
           so resolvers kept the stale answer until the old TTL ran out and clients hit decommissioned hosts.")
            .tech(&[("dns", "route53")]).trigger("config-change").factors(&["missing-runbook"])
            .mitigations(&["rollback"]).meta("saas", "sev2", "customer-report", "2020-06").times(30, 300, 1440),
        r(4, "BGP route leak sent our traffic through a small transit provider",
          "A peer leaked our prefixes with a shorter path and a large share of traffic was blackholed.",
          "An upstream network accepted more specific prefixes from a customer and re-advertised them to its peers. \
           The BGP route leak drew our traffic into a provider that could not carry it. RPKI and prefix filters would have rejected the routes.")
            .tech(&[("network", "bgp")]).trigger("external-change").factors(&["third-party"])
            .mitigations(&["traffic-shift"]).meta("media", "sev1", "monitoring", "2019-06").times(5, 120, 200),
        r(5, "Kafka consumer group rebalance storm stopped order processing",
          "Consumers kept leaving and rejoining the group, so partitions were reassigned in a loop and no messages were processed.",
          "A deploy raised message processing time above max.poll.interval.ms. The broker considered consumers dead and triggered a rebalance; \
           each rebalance revoked partitions mid-batch, processing restarted, and the rebalance storm continued for forty minutes.")
            .tech(&[("queue", "kafka")]).trigger("deploy").factors(&["misconfiguration"])
            .mitigations(&["rollback", "config-change"]).meta("logistics", "sev2", "monitoring", "2023-02").times(8, 40, 90),
        r(6, "PostgreSQL transaction ID wraparound forced the database read-only",
          "Autovacuum could not keep up and PostgreSQL stopped accepting writes to prevent transaction ID wraparound.",
          "A long-running analytics transaction held back the xmin horizon for weeks. Anti-wraparound vacuum could not freeze old tuples, \
           and the database shut down writes. We ran a manual single-user VACUUM FREEZE, which took eleven hours.")
            .tech(&[("database", "postgresql")]).trigger("capacity-exhaustion").factors(&["missing-monitoring"])
            .mitigations(&["manual-repair"]).meta("saas", "sev1", "monitoring", "2021-08").times(3, 600, 700),
        r(7, "Disk full on the logging cluster stopped log ingestion",
          "Debug logging was left on; the disks of the log cluster filled and ingestion stopped.",
          "A verbose log level shipped in a release tripled log volume. The Elasticsearch nodes reached the flood-stage watermark, \
           indices went read-only and no space was left on device for new data. We deleted old indices and turned debug logging off.")
            .tech(&[("search", "elasticsearch")]).trigger("capacity-exhaustion").factors(&["missing-monitoring"])
            .mitigations(&["cleanup"]).meta("gaming", "sev3", "monitoring", "2022-09").times(45, 60, 120),
        r(8, "Leap second made Java services spin at full CPU",
          "When the leap second was inserted, JVM threads busy-looped and CPU load hit 100% across the fleet.",
          "The kernel's handling of the inserted leap second left timers firing immediately, and futex waits returned at once. \
           Java applications spun on every core. Resetting the clock with date -s fixed it without a reboot.")
            .tech(&[("os", "linux"), ("runtime", "java")]).trigger("time-bug").factors(&["untested-edge-case"])
            .mitigations(&["restart"]).meta("media", "sev1", "monitoring", "2012-07").times(10, 90, 150),
        r(9, "Kubernetes node pool upgrade evicted every replica at once",
          "A node pool upgrade drained nodes without a PodDisruptionBudget and all replicas of the checkout service were evicted together.",
          "The managed Kubernetes upgrade cordoned and drained nodes in parallel. Without a PodDisruptionBudget the scheduler evicted all pods \
           of the deployment, and the new pods waited on image pulls for several minutes.")
            .tech(&[("orchestration", "kubernetes")]).trigger("deploy").factors(&["missing-safeguard"])
            .mitigations(&["scale-up"]).meta("ecommerce", "sev2", "monitoring", "2023-05").times(4, 15, 35),
        r(10, "Cache flush caused a thundering herd on the database",
          "Flushing memcached during a deploy sent every request to the database at once.",
          "A deploy script flushed all memcached nodes. The cold cache turned every page view into several queries, \
           and the thundering herd saturated database connections until the cache warmed.")
            .tech(&[("cache", "memcached"), ("database", "mysql")]).trigger("deploy").factors(&["manual-process"])
            .mitigations(&["rate-limit"]).meta("media", "sev2", "monitoring", "2018-04").times(2, 25, 50),
        r(11, "Object storage outage in one region took down uploads",
          "Our provider's S3 service in one region returned errors and we had no fallback region.",
          "Uploads and image thumbnails depended on a single S3 bucket. When the provider's object storage failed, \
           every upload returned a 500. The dependency failure lasted four hours; we had no cross-region replication.")
            .tech(&[("cloud", "aws-s3")]).trigger("dependency-failure").factors(&["single-point-of-failure", "third-party"])
            .mitigations(&["wait"]).meta("saas", "sev1", "customer-report", "2017-02").times(6, 240, 250),
        r(12, "Terraform apply destroyed the production database",
          "A Terraform plan that replaced the database instance was applied to production by mistake.",
          "A renamed resource made Terraform plan a destroy-and-create of the primary database instance. \
           The plan was long and the destroy line was missed in review. We restored from a snapshot and lost six hours of data.")
            .tech(&[("infrastructure", "terraform"), ("database", "mysql")]).trigger("config-change").factors(&["missing-safeguard", "review-gap"])
            .mitigations(&["restore-backup"]).meta("fintech", "sev1", "internal-report", "2020-10").times(1, 180, 900),
        r(13, "Feature flag enabled for all users instead of one percent",
          "A feature flag rollout meant for one percent of users was enabled for everyone and broke checkout.",
          "The rollout percentage field was left empty, which the flag service read as one hundred percent. \
           The unfinished feature reached all users and checkout failed for mobile clients.")
            .tech(&[("platform", "launchdarkly")]).trigger("config-change").factors(&["unsafe-default"])
            .mitigations(&["feature-flag"]).meta("ecommerce", "sev2", "customer-report", "2023-09").times(15, 5, 20),
        r(14, "Clock skew rejected every JWT on two API hosts",
          "Two hosts drifted minutes ahead and rejected valid JSON Web Tokens as issued in the future.",
          "NTP was blocked by a firewall change on a new subnet. The clocks drifted and token validation checked the not-before claim \
           without leeway, so users were logged out at random depending on which host they reached.")
            .tech(&[("security", "jwt"), ("os", "linux")]).trigger("time-bug").factors(&["missing-monitoring"])
            .mitigations(&["config-change"]).meta("saas", "sev3", "customer-report", "2022-01").times(120, 30, 200),
        r(15, "Postgres connection pool exhausted behind pgbouncer",
          "A pgbouncer misconfiguration let application servers open too many connections and Postgres ran out of connection slots.",
          "New application instances each opened a pool of fifty connections. pgbouncer was in session mode, so every client held a server connection, \
           and Postgres hit max_connections; requests queued and timed out.")
            .tech(&[("database", "postgresql"), ("proxy", "pgbouncer")]).trigger("traffic-spike").factors(&["misconfiguration"])
            .mitigations(&["config-change", "scale-down"]).meta("healthcare", "sev2", "monitoring", "2024-01").times(7, 30, 60),
        r(16, "Elasticsearch split brain after a network partition",
          "Two halves of the search cluster each elected a master and accepted conflicting writes.",
          "minimum_master_nodes was set to one. A network partition separated the data centers, both sides elected a master, \
           and the split brain left two diverging copies of the index that had to be reconciled by reindexing.")
            .tech(&[("search", "elasticsearch")]).trigger("network-change").factors(&["misconfiguration"])
            .mitigations(&["manual-repair"]).meta("media", "sev2", "monitoring", "2016-05").times(20, 180, 600),
        r(17, "Catastrophic regex backtracking exhausted CPU on the edge proxies",
          "A new web application firewall rule contained a regular expression with catastrophic backtracking.",
          "The rule was deployed globally at once. The regular expression backtracked exponentially on some inputs \
           and every proxy core ran at full CPU, dropping traffic worldwide until the rule was removed.")
            .tech(&[("proxy", "nginx")]).trigger("deploy").factors(&["missing-safeguard", "global-rollout"])
            .mitigations(&["rollback"]).meta("saas", "sev1", "monitoring", "2019-07").times(3, 27, 60),
        r(18, "Daylight saving time change ran the billing cron job twice",
          "When clocks went back, the hour repeated and the nightly billing job charged customers twice.",
          "The cron schedule ran at 01:30 local time. On the daylight saving transition that hour happened twice, \
           the job had no idempotency key and duplicate charges went out.")
            .tech(&[("os", "linux")]).trigger("time-bug").factors(&["untested-edge-case"])
            .mitigations(&["refund"]).meta("fintech", "sev2", "customer-report", "2021-11").times(300, 60, 2000),
        r(19, "Container registry rate limit broke every CI build",
          "Anonymous image pulls from the public registry hit the rate limit and all builds failed.",
          "The registry introduced pull rate limits for anonymous users. Our CI runners shared one NAT address, \
           so the limit was reached within minutes and every pipeline failed on docker pull.")
            .tech(&[("ci", "docker")]).trigger("dependency-failure").factors(&["third-party"])
            .mitigations(&["mirror"]).meta("saas", "sev3", "internal-report", "2020-11").times(30, 120, 480),
        r(20, "Memory leak in the image resizer led to OOM kills",
          "A memory leak in a new image library version made pods grow until the kernel OOM killer stopped them.",
          "The resizer kept decoded frames in a global map. Memory grew linearly with traffic and the containers were OOM killed every few hours, \
           dropping in-flight requests each time.")
            .tech(&[("orchestration", "kubernetes"), ("language", "go")]).trigger("software-bug").factors(&["missing-monitoring"])
            .mitigations(&["rollback"]).meta("media", "sev3", "monitoring", "2023-07").times(240, 30, 300),
        r(21, "RabbitMQ memory alarm blocked all publishers",
          "A backlog of unacknowledged messages pushed RabbitMQ over its memory high watermark and publishers were blocked.",
          "A consumer bug stopped acknowledgements. Queues grew to millions of messages, the memory alarm fired, \
           and RabbitMQ blocked every publishing connection, stalling the whole pipeline.")
            .tech(&[("queue", "rabbitmq")]).trigger("software-bug").factors(&["missing-monitoring"])
            .mitigations(&["purge"]).meta("logistics", "sev2", "monitoring", "2019-12").times(15, 45, 120),
        r(22, "Integer primary key overflow stopped all inserts",
          "The orders table used a 32-bit integer primary key and inserts failed when it reached its maximum value.",
          "The auto-increment id reached 2147483647. Every insert failed with an out of range error. \
           Altering the column to a 64-bit bigint required a long table rebuild on MySQL.")
            .tech(&[("database", "mysql")]).trigger("capacity-exhaustion").factors(&["schema-design"])
            .mitigations(&["schema-change"]).meta("ecommerce", "sev1", "monitoring", "2018-08").times(2, 200, 400),
        r(23, "CDN cached private account pages and served them to other users",
          "A cache configuration change made the CDN cache authenticated pages, leaking account data between users.",
          "A header rewrite removed Cache-Control: private from account pages. The CDN cached the personalised responses \
           and served one user's page to others until the cache was purged.")
            .tech(&[("cdn", "fastly")]).trigger("config-change").factors(&["review-gap"])
            .mitigations(&["purge"]).meta("ecommerce", "sev1", "customer-report", "2015-12").times(60, 20, 90),
        r(24, "Load balancer health check misconfiguration drained all backends",
          "A health check path change marked every backend unhealthy and the load balancer had nothing to route to.",
          "The new health check pointed at a path that required authentication. HAProxy marked all servers down \
           and returned 503 for every request until the check was reverted.")
            .tech(&[("load-balancer", "haproxy")]).trigger("config-change").factors(&["review-gap"])
            .mitigations(&["rollback"]).meta("saas", "sev1", "monitoring", "2022-06").times(2, 12, 20),
        r(25, "Vault token expiry locked services out of their secrets",
          "A long-lived Vault token reached its maximum TTL and services could no longer read database credentials.",
          "The token had been created years before with a max TTL nobody tracked. When it expired, services failed to renew leases \
           and could not fetch secrets after restarting.")
            .tech(&[("security", "vault")]).trigger("credential-expiry").factors(&["missing-monitoring"])
            .mitigations(&["config-change"]).meta("fintech", "sev2", "internal-report", "2023-03").times(20, 50, 110),
        r(26, "ZooKeeper lost quorum because of slow disks",
          "Fsync latency on a shared disk made ZooKeeper followers time out and the ensemble lost quorum.",
          "A noisy neighbour on the storage array raised fsync latency to seconds. Followers fell behind, sessions expired, \
           and every service that relied on ZooKeeper for leader election stopped.")
            .tech(&[("coordination", "zookeeper")]).trigger("hardware-failure").factors(&["shared-infrastructure"])
            .mitigations(&["failover"]).meta("fintech", "sev2", "monitoring", "2018-02").times(5, 70, 160),
        r(27, "Redis maxmemory eviction dropped user sessions",
          "Redis reached maxmemory and the allkeys-lru policy evicted session keys, logging users out.",
          "Sessions and a large cache shared one Redis instance. When the cache grew, the eviction policy removed session keys \
           along with cached pages.")
            .tech(&[("database", "redis")]).trigger("capacity-exhaustion").factors(&["shared-infrastructure"])
            .mitigations(&["scale-up"]).meta("gaming", "sev3", "customer-report", "2021-04").times(90, 30, 140),
        r(28, "etcd database size quota exceeded froze the Kubernetes control plane",
          "etcd hit its space quota, raised a NOSPACE alarm and the Kubernetes API server refused writes.",
          "An operator created thousands of custom resources and etcd compaction was disabled. The database grew past the quota, \
           the alarm put etcd in maintenance mode, and no deployments could be changed until we defragmented.")
            .tech(&[("coordination", "etcd"), ("orchestration", "kubernetes")]).trigger("capacity-exhaustion").factors(&["misconfiguration"])
            .mitigations(&["manual-repair"]).meta("saas", "sev2", "monitoring", "2024-02").times(10, 100, 180),
        r(29, "Top-of-rack switch firmware bug caused packet loss",
          "A firmware bug in a top-of-rack switch silently dropped a fraction of packets for one rack.",
          "Retransmits and timeouts appeared only for services placed on one rack. Packet captures showed drops at the switch; \
           the vendor confirmed a firmware bug in the buffer handling and we replaced the switch.")
            .tech(&[("network", "switch")]).trigger("hardware-failure").factors(&["vendor-bug"])
            .mitigations(&["hardware-replacement"]).meta("gaming", "sev3", "internal-report", "2017-09").times(600, 120, 2880),
        r(30, "Stored script injection in the admin dashboard notes field",
          "An incident note containing <script>alert(1)</script> ran in the admin dashboard for every reviewer.",
          "A note field was rendered without escaping. A note containing <script>document.location='https://evil.example'</script> \
           executed in reviewers' browsers. We escaped output and added a Content-Security-Policy header.")
            .tech(&[("frontend", "react")]).trigger("software-bug").factors(&["review-gap"])
            .mitigations(&["hotfix"]).meta("healthcare", "sev2", "internal-report", "2024-03")
            .timeline(&["T+0 note saved", "T+40m reviewer reported a redirect"]),
    ]
    .into_iter()
    .map(|r| r.0)
    .collect()
}
