//! Scenario templates, part three: resources, caches, automation, humans,
//! feedback loops and the incidents nobody could explain.

use super::{cap, dur, Ctx, Entry, Sc, V};

pub(super) fn entries() -> Vec<Entry> {
    vec![
        Entry {
            f: disk_full_logs,
            weight: 2,
            near_miss: true,
            scale: 0.7,
            month_start: false,
            slow: true,
        },
        Entry {
            f: memory_leak_listeners,
            weight: 2,
            near_miss: false,
            scale: 2.0,
            month_start: false,
            slow: true,
        },
        Entry {
            f: quota_lambda_concurrency,
            weight: 1,
            near_miss: false,
            scale: 0.8,
            month_start: false,
            slow: false,
        },
        Entry {
            f: quota_registry_pulls,
            weight: 1,
            near_miss: true,
            scale: 1.0,
            month_start: false,
            slow: false,
        },
        Entry {
            f: cache_stampede_flush,
            weight: 2,
            near_miss: false,
            scale: 0.6,
            month_start: false,
            slow: false,
        },
        Entry {
            f: dependency_upgrade_jvm_leak,
            weight: 1,
            near_miss: false,
            scale: 2.5,
            month_start: false,
            slow: true,
        },
        Entry {
            f: dependency_upgrade_tls_lib,
            weight: 1,
            near_miss: false,
            scale: 1.0,
            month_start: false,
            slow: false,
        },
        Entry {
            f: feature_flag_slow_query,
            weight: 2,
            near_miss: false,
            scale: 0.4,
            month_start: false,
            slow: false,
        },
        Entry {
            f: runaway_cleanup,
            weight: 1,
            near_miss: true,
            scale: 3.0,
            month_start: false,
            slow: false,
        },
        Entry {
            f: manual_wrong_host,
            weight: 2,
            near_miss: false,
            scale: 1.5,
            month_start: false,
            slow: false,
        },
        Entry {
            f: backup_never_restored,
            weight: 1,
            near_miss: true,
            scale: 5.0,
            month_start: false,
            slow: true,
        },
        Entry {
            f: thundering_herd_reconnect,
            weight: 1,
            near_miss: false,
            scale: 0.8,
            month_start: false,
            slow: false,
        },
        Entry {
            f: retry_storm_rate_limit,
            weight: 2,
            near_miss: false,
            scale: 1.0,
            month_start: false,
            slow: false,
        },
        Entry {
            f: redis_resync_loop,
            weight: 1,
            near_miss: false,
            scale: 1.5,
            month_start: false,
            slow: false,
        },
        Entry {
            f: replica_lag_stale_reads,
            weight: 1,
            near_miss: false,
            scale: 1.2,
            month_start: false,
            slow: true,
        },
        Entry {
            f: unknown_latency_spikes,
            weight: 1,
            near_miss: false,
            scale: 1.5,
            month_start: false,
            slow: true,
        },
    ]
}

fn disk_full_logs(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let size = c.n(50, 2000);
    let what = c.pk(vec![
        (
            "debug logging left on after an investigation",
            "the application log",
        ),
        (
            "a retry loop logging a full stack trace on every attempt",
            "the application log",
        ),
        (
            "logrotate silently failing since a package upgrade",
            "nginx access logs",
        ),
        ("journald with no size limit", "the systemd journal"),
        (
            "Docker's json-file log driver with no max-size",
            "container logs",
        ),
    ]);
    let (cause, file) = what;
    let mut sc = Sc {
        trigger: "disk-full",
        techs: vec!["linux", c.p(&["systemd", "docker", "nginx"]), c.lang],
        alert: "NodeFilesystemAlmostFull".into(),
        detections: vec!["automated-alert", "automated-alert", "engineer-noticed"],
        cats: vec!["partial-outage", "increased-errors"],
        factors: vec![
            "missing-monitoring",
            "alert-fatigue",
            "config-drift",
            "technical-debt",
        ],
        humans: vec!["normalisation-of-deviance", "on-call-overload", "handoff"],
        root_causes: vec![
            format!("Disk filled with {file} because of {cause}."),
            "The disk space alert threshold was too close to full to react in time.".into(),
            "Logs and application data shared one filesystem.".into(),
        ],
        whys: vec![
            format!("Why did {svc} fail? Because it could not write to disk."),
            format!("Why? Because {file} filled the disk."),
            format!("Why? Because of {cause}."),
            "Why was it not caught earlier? Because the alert fired at 95%, minutes before full."
                .into(),
        ],
        lessons: vec![
            "Every log needs a size limit or a rotation that is monitored.".into(),
            "Alert on the rate of disk growth, not just the level.".into(),
        ],
        actions: vec![
            "Alert when disk is predicted to fill within 24 hours.".into(),
            "Put logs on a separate volume from data.".into(),
            "Set size limits on the journal and container logs.".into(),
        ],
        ..Default::default()
    };
    if c.nm {
        sc.title = format!(
            "Disk at 97% on the {} hosts, cleared before it filled",
            c.role
        );
        sc.summary = format!("{size} GB of {file} had accumulated on the hosts running {svc} because of {cause}. The predictive disk alert fired about two hours before the disk would have filled, and we cleaned it up in time.");
        sc.symptom = "disk usage was at 97% and growing".into();
        sc.effect = "No user impact".into();
        sc.happened = format!("The disk-fill forecast alert fired for the hosts running {svc}: at the current rate the root filesystem would be full in two hours. {} found {size} GB of {file}.", cap(&oc));
        sc.why = format!("The cause was {cause}.");
        sc.fix = format!("{} truncated the files, fixed the rotation, and {e2} added size limits to the configuration management so it cannot come back.", cap(&oc));
        sc.start_event = "Disk growth accelerates".into();
        sc.events = vec!["Large files found with du".into()];
        sc.mitigate_event = "Space freed".into();
        sc.resolve_event = "Rotation fixed and limits applied".into();
        sc.mitigations = vec!["config-change"];
        sc.cats = vec![];
        return sc;
    }
    sc.title = c.ps(vec![
        format!("Disk full on the {} hosts: {size} GB of {file}", c.role),
        format!("{} stopped writing when {file} filled the disk", cap(&svc)),
        format!("No space left on device: {cause}"),
    ]);
    sc.summary = format!("The root filesystem of the hosts running {svc} filled up with {size} GB of {file}, caused by {cause}. Writes failed with `No space left on device` and the service stopped processing requests.");
    sc.symptom = format!("{svc} was logging `No space left on device`");
    sc.effect = format!("Requests to {svc} that needed to write anything failed");
    sc.happened = format!("{} started failing writes with `ENOSPC: No space left on device`. The database connection was fine; the service could not write temp files or its own logs. `df -h` showed 100% on `/` and `du` pointed at {size} GB of {file}.", cap(&svc));
    sc.why = format!("The underlying cause was {cause}. The disk alert was set at 95%, and at the growth rate that day it fired less than 15 minutes before the disk was full. The alert had fired and cleared several times in the previous weeks and had been dismissed each time.");
    sc.fix = format!("{} deleted old rotated files and truncated the live file to free space, then restarted the service. {} fixed the underlying cause and added size limits.", cap(&oc), cap(&e2));
    sc.start_event = format!("{} starts growing quickly", cap(file));
    sc.events = vec![
        "Writes start failing with ENOSPC".into(),
        format!("du finds {size} GB of {file}"),
        "Space freed".into(),
    ];
    sc.mitigate_event = "Service restarted with free disk".into();
    sc.resolve_event = "Root cause fixed; size limits in place".into();
    sc.mitigations = vec!["restart", "config-change"];
    sc
}

fn memory_leak_listeners(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (lang, leak) = c.pk(vec![
        (
            "nodejs",
            "an event listener registered on every request and never removed",
        ),
        (
            "python",
            "a module-level dict used as a cache with no eviction",
        ),
        (
            "go",
            "a goroutine per request blocked forever on a channel nobody read",
        ),
        (
            "ruby",
            "a memoised hash keyed by user ID that grew without bound",
        ),
        (
            "dotnet",
            "a static list of subscriptions that held on to request objects",
        ),
    ]);
    c.lang = lang;
    let ver = c.ver();
    let hours = c.n(6, 72);
    let limit = c.n(1, 8);
    Sc {
        trigger: "memory-leak",
        techs: vec![lang, c.p(&["kubernetes", "ec2", "nomad"]), c.p(&["opentelemetry", "prometheus", "datadog"])],
        alert: "ContainerMemoryNearLimit".into(),
        detections: vec!["automated-alert", "automated-alert", "engineer-noticed"],
        cats: vec!["increased-errors", "degraded-performance", "increased-latency"],
        factors: vec!["insufficient-testing", "missing-monitoring", "technical-debt", "staging-parity-gap"],
        humans: vec!["normalisation-of-deviance", "confirmation-bias"],
        title: c.ps(vec![
            format!("Memory leak in {svc} {ver}: {leak}"),
            format!("{} restarted every {hours} hours from a slow memory leak", cap(&svc)),
        ]),
        summary: format!("Release {ver} of {svc} introduced {leak}. Memory grew steadily until each instance hit its {limit} GiB limit after about {hours} hours and was killed, dropping in-flight requests."),
        symptom: format!("memory of {svc} grew in a straight line and instances were OOM-killed"),
        effect: "Some requests failed whenever an instance was killed; latency rose as memory filled".into(),
        happened: format!("After {ver} shipped, memory use of {svc} grew linearly with traffic and never came down. Every {hours} hours or so an instance hit its {limit} GiB limit and was killed. Because instances had started together, they also tended to die together. Requests in flight at the time failed, and garbage collection pauses made latency worse in the hours before each kill."),
        why: format!("The leak was {leak}. It passed review because the code looked like other code nearby. Load tests run for 10 minutes, far too short to show a leak of this rate. The restarts had been going on for days before anyone looked, because the service recovered by itself."),
        fix: format!("{} set up a rolling restart every few hours as a stop-gap. {} took a heap snapshot from a long-running instance, found the retained objects and shipped a fix; memory has been flat since.", cap(&oc), cap(&e2)),
        start_event: format!("{ver} deployed"),
        events: vec![
            "Instances killed for exceeding memory limit".into(),
            "Scheduled rolling restart added as a stop-gap".into(),
            "Heap snapshot taken and compared".into(),
        ],
        mitigate_event: "Rolling restarts keep memory under the limit".into(),
        resolve_event: "Leak fixed; memory flat over 48 hours".into(),
        root_causes: vec![
            format!("{ver} introduced {leak}."),
            "Load tests were too short to reveal slow leaks.".into(),
            "Repeated OOM kills were not alerted on.".into(),
        ],
        whys: vec![
            "Why did requests fail? Because instances were killed.".into(),
            "Why? Because they ran out of memory.".into(),
            format!("Why? Because of {leak}."),
            "Why was it not caught? Because load tests ran for 10 minutes.".into(),
        ],
        lessons: vec![
            "A service that recovers by itself can hide a problem for days.".into(),
            "Compare memory over hours, not minutes, when reviewing a release.".into(),
        ],
        actions: vec![
            "Alert on OOM kills and on memory growth rate.".into(),
            "Add a 6-hour soak test to the release pipeline.".into(),
            "Document how to take a heap snapshot in production.".into(),
        ],
        mitigations: vec!["restart", "hotfix"],
        ..Default::default()
    }
}

fn quota_lambda_concurrency(c: &mut Ctx) -> Sc {
    let V {
        svc,
        oc,
        e2,
        region,
        ..
    } = c.v();
    let limit = c.n(1, 3) * 1000;
    let src = c.p(&["sqs", "kinesis", "s3"]);
    let batch = c.p(&[
        "a partner's nightly bulk upload",
        "a backfill job started by the data team",
        "a reprocessing script",
    ]);
    Sc {
        trigger: "quota-exhausted",
        techs: vec!["aws", "lambda", src, "dynamodb"],
        alert: "LambdaThrottles".into(),
        vendor: "AWS".into(),
        detections: vec!["automated-alert", "customer-report", "internal-user-report"],
        cats: vec!["partial-outage", "increased-errors"],
        factors: vec!["hidden-shared-dependency", "insufficient-capacity-planning", "missing-rate-limiting"],
        humans: vec!["communication-breakdown", "assumption-of-safety"],
        title: c.ps(vec![
            format!("Account-wide Lambda concurrency limit of {limit} reached; user-facing functions throttled"),
            format!("A batch job used all Lambda concurrency in {region} and starved {svc}"),
        ]),
        summary: format!("{} triggered thousands of concurrent Lambda invocations from {src}. They used up the account's regional concurrency limit of {limit}, which is shared by all functions, so the user-facing functions behind {svc} were throttled.", cap(batch)),
        symptom: format!("functions behind {svc} were throttled with `Rate Exceeded`"),
        effect: format!("API calls to {svc} failed with 429 and 502 errors"),
        happened: format!("{} pushed a large burst of events into {src}. The processing function scaled out to the account limit of {limit} concurrent executions in {region}. From that point, every other function in the account, including the API handlers for {svc}, got `TooManyRequestsException` and API Gateway returned errors.", cap(batch)),
        why: "Lambda concurrency is a pool shared by every function in an account and region. No function had reserved concurrency, so the batch processor could take all of it. The batch and the API lived in the same account for historical reasons.".into(),
        fix: format!("{} set reserved concurrency of 100 on the batch function, which released capacity to the API within a minute. {} requested a higher account limit and we added reserved concurrency to the user-facing functions.", cap(&oc), cap(&e2)),
        start_event: "Batch of events arrives".into(),
        events: vec![
            "ConcurrentExecutions at the account limit".into(),
            "Batch function identified as the consumer".into(),
            "Reserved concurrency set on the batch function".into(),
        ],
        mitigate_event: "API functions no longer throttled".into(),
        resolve_event: "Backlog processed at limited rate; limit increase granted".into(),
        root_causes: vec![
            "Account-level concurrency was shared by batch and user-facing functions.".into(),
            "No reserved concurrency on any function.".into(),
        ],
        whys: vec![
            "Why did API calls fail? Because their functions were throttled.".into(),
            "Why? Because the account concurrency limit was reached.".into(),
            "Why? Because a batch function scaled without a cap.".into(),
        ],
        lessons: vec!["Shared quotas are shared failure domains.".into()],
        actions: vec![
            "Reserve concurrency for user-facing functions.".into(),
            "Cap concurrency of batch consumers.".into(),
            "Move batch workloads to a separate account.".into(),
        ],
        mitigations: vec!["config-change", "vendor-escalation"],
        ..Default::default()
    }
}

fn quota_registry_pulls(c: &mut Ctx) -> Sc {
    let V { oc, e2, .. } = c.v();
    let ci = c.p(&["github-actions", "gitlab-ci", "jenkins"]);
    let nodes = c.n(10, 200);
    let mut sc = Sc {
        trigger: "quota-exhausted",
        techs: vec!["docker", ci, c.p(&["kubernetes", "eks", "gke"])],
        alert: "ImagePullBackOff".into(),
        detections: vec!["automated-alert", "internal-user-report"],
        cats: vec!["non-production", "partial-outage"],
        factors: vec![
            "undocumented-dependency",
            "hidden-shared-dependency",
            "vendor-opacity",
        ],
        humans: vec!["knowledge-gap", "tooling-confusion"],
        root_causes: vec![
            "All builds and nodes pulled public base images anonymously through one NAT address."
                .into(),
            "The public registry rate limits anonymous pulls per IP.".into(),
        ],
        whys: vec![
            "Why did pulls fail? Because we hit the registry's rate limit.".into(),
            "Why? Because all pulls came from one NAT IP without authentication.".into(),
            "Why? Because nobody had set up a pull-through cache.".into(),
        ],
        lessons: vec![
            "Public registries are a production dependency if your deploys pull from them.".into(),
        ],
        actions: vec![
            "Run a pull-through cache for public images.".into(),
            "Mirror base images into our own registry.".into(),
        ],
        mitigations: vec!["config-change"],
        ..Default::default()
    };
    let base = "Builds and new nodes failed to pull public base images with `toomanyrequests: You have reached your pull rate limit`.";
    if c.nm {
        sc.title = "Docker Hub pull rate limit blocked CI for an afternoon".into();
        sc.summary = format!(
            "{base} Only CI was affected; production kept running because no scale-out was needed."
        );
        sc.symptom = "CI jobs failed pulling base images".into();
        sc.effect = "No customer impact; CI and deploys blocked for a few hours".into();
        sc.happened = format!("{base} Everything egresses through one NAT address, so {ci} jobs and {nodes} cluster nodes shared one anonymous quota. Production was not scaling that afternoon, so it was unaffected.");
        sc.why = "Anonymous pulls from a single IP share a small rate limit.".into();
        sc.fix = format!(
            "{} added registry credentials to CI, and {e2} set up a pull-through cache.",
            cap(&oc)
        );
        sc.start_event = "First rate-limited pull".into();
        sc.events = vec!["NAT IP identified as the shared identity".into()];
        sc.mitigate_event = "CI authenticated; builds passing".into();
        sc.resolve_event = "Pull-through cache live".into();
        sc.cats = vec!["non-production"];
        return sc;
    }
    sc.title = c.ps(vec![
        "Public registry pull rate limit stopped new pods from starting".into(),
        format!("{nodes} nodes shared one anonymous image pull quota"),
    ]);
    sc.summary = format!("{base} A scale-out during a busy period needed new nodes, which could not pull images, so capacity did not grow and the service degraded.");
    sc.symptom = "new pods were stuck in ImagePullBackOff".into();
    sc.effect = "The service was slow because new capacity could not start".into();
    sc.cats = vec!["degraded-performance", "increased-latency"];
    sc.happened = format!("{base} The cluster autoscaler added nodes during the evening peak, but pods scheduled there sat in `ImagePullBackOff`. {ci} builds running at the same time consumed the same quota.");
    sc.why = format!("All {nodes} nodes and CI runners share one NAT address and pull anonymously, so they share one small quota.");
    sc.fix = format!("{} added registry credentials to the node image pull secrets, and {e2} mirrored the base images into our own registry.", cap(&oc));
    sc.start_event = "Autoscaler adds nodes".into();
    sc.events = vec![
        "Pods in ImagePullBackOff".into(),
        "Rate limit error found in kubelet events".into(),
    ];
    sc.mitigate_event = "Pulls authenticated; pods starting".into();
    sc.resolve_event = "Base images mirrored".into();
    sc
}

fn cache_stampede_flush(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (cache, cache_name) = c.pk(vec![
        ("memcached", "memcached"),
        ("redis", "Redis"),
        ("varnish", "Varnish"),
    ]);
    let db = c.p(&["mysql", "postgresql", "mongodb"]);
    let hit = c.n(93, 99);
    let qps = c.n(4, 40) * 1000;
    let why_flush = c.p(&[
        "to clear one bad entry, an engineer flushed the whole cache",
        "a deploy changed the cache key prefix, which invalidated every key at once",
        "the cache cluster was replaced during an upgrade and came back empty",
    ]);
    Sc {
        trigger: "cache-invalidation",
        techs: vec![cache, db, c.lang, c.p(&["php", "rails", "kubernetes"])],
        alert: "DatabaseCPUHigh".into(),
        detections: vec!["automated-alert", "automated-alert", "synthetic-monitoring"],
        cats: vec!["increased-latency", "partial-outage", "increased-errors"],
        factors: vec!["tight-coupling", "insufficient-capacity-planning", "missing-rate-limiting", "manual-process"],
        humans: vec!["assumption-of-safety", "time-pressure", "knowledge-gap"],
        title: c.ps(vec![
            format!("Cache stampede after {cache_name} flush overloaded the database"),
            format!("Cold cache: {qps} queries per second hit the database at once"),
            "Flushing the cache to fix one entry took the site down".into(),
        ]),
        summary: format!("Normally {hit}% of reads for {svc} are served from {cache_name}. After {why_flush}, every request went to the database at once, which saturated it, and the cache could not refill because the queries timed out."),
        symptom: "database CPU went to 100% and cache hit rate fell to near zero".into(),
        effect: format!("{} was very slow and many requests timed out", cap(&svc)),
        happened: format!("After {why_flush}, the {cache_name} hit rate dropped from {hit}% to almost nothing. Database load went from a few hundred to {qps} queries per second. Many of these were the same expensive query for popular items, issued in parallel by every instance. Queries timed out before their results could be cached, so the cache stayed cold."),
        why: "The database is sized for cache misses, not for the full read load. There was no request coalescing, so a thousand concurrent misses for the same key meant a thousand identical queries. Flushing the cache was considered a safe, routine action.".into(),
        fix: format!("{} put the site into a degraded mode that served stale content for popular pages and {e2} warmed the cache with a script for the top keys. Once the hit rate passed 80% we returned to normal mode.", cap(&oc)),
        start_event: "Cache emptied".into(),
        events: vec![
            "Database CPU at 100%".into(),
            "Identical queries from every instance in the slow log".into(),
            "Degraded mode enabled; cache warming script started".into(),
        ],
        mitigate_event: "Cache hit rate above 80%".into(),
        resolve_event: "Normal mode restored".into(),
        root_causes: vec![
            format!("The cache was emptied: {why_flush}."),
            "No request coalescing for concurrent misses on the same key.".into(),
            "Database capacity assumed a warm cache.".into(),
        ],
        whys: vec![
            "Why was the site slow? Because the database was overloaded.".into(),
            "Why? Because the cache was empty and every read went to the database.".into(),
            "Why did it not recover? Because queries timed out before they could populate the cache.".into(),
        ],
        lessons: vec![
            "A cache that the database cannot live without is part of the database's capacity.".into(),
            "Never flush a whole cache to fix one entry.".into(),
        ],
        actions: vec![
            "Add request coalescing (single-flight) for cache misses.".into(),
            "Write a tool to delete single keys and remove full flush from the runbook.".into(),
            "Serve stale on error for popular content.".into(),
        ],
        mitigations: vec!["shed-load", "feature-flag-off"],
        ..Default::default()
    }
}

fn dependency_upgrade_jvm_leak(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    c.lang = "java";
    let lib = c.p(&[
        "the HTTP client library",
        "the metrics library",
        "the JSON library",
        "the database driver",
        "the gRPC library",
    ]);
    let (from, to) = c.ver_pair();
    let heap = c.n(2, 16);
    Sc {
        trigger: "dependency-upgrade",
        techs: vec!["java", "jvm", c.p(&["kubernetes", "ec2"]), c.p(&["grpc", "prometheus", "postgresql"])],
        alert: "JvmOldGenHigh".into(),
        detections: vec!["automated-alert", "automated-alert", "engineer-noticed"],
        cats: vec!["increased-latency", "degraded-performance", "increased-errors"],
        factors: vec!["insufficient-testing", "no-canary", "undocumented-dependency"],
        humans: vec!["assumption-of-safety", "confirmation-bias"],
        title: c.ps(vec![
            format!("Memory leak in a JVM service after upgrading {lib} from {from} to {to}"),
            format!("Routine dependency bump caused GC death spiral in {svc}"),
        ]),
        summary: format!("An automated dependency update moved {lib} in {svc} from {from} to {to}. The new version leaked objects, old-generation heap filled over a day, and the service spent most of its time in garbage collection until we rolled back."),
        symptom: format!("{svc} was spending over 50% of its time in GC and p99 latency was seconds"),
        effect: format!("{} responded slowly and some requests timed out", cap(&svc)),
        happened: format!("A bot pull request bumped {lib} from {from} to {to}; tests passed and it was merged with a batch of other updates. Over the next day, old-gen usage on the {heap} GB heap climbed steadily. Full GC pauses grew to several seconds and throughput collapsed, although the JVM never actually threw OutOfMemoryError."),
        why: format!("The new version changed how {lib} pools resources, and our configuration caused it to keep a reference to every request. The release notes mentioned the change in one line. Several dependency updates were merged together, so it took a while to find which one was responsible."),
        fix: format!("{} rolled {svc} back to the previous build and memory stabilised. {} compared heap dumps from old and new versions with Eclipse MAT and found the retained objects; we pinned the old version until a fix was released upstream.", cap(&oc), cap(&e2)),
        start_event: format!("Build with {lib} {to} deployed"),
        events: vec![
            "Old-gen usage climbing; GC pauses growing".into(),
            "Heap dump taken".into(),
            "Rolled back to the previous build".into(),
        ],
        mitigate_event: "Rollback complete; GC normal".into(),
        resolve_event: "Leaking dependency identified and pinned".into(),
        root_causes: vec![
            format!("{} {to} retains references to every request with our configuration.", cap(lib)),
            "Several dependency updates were merged together.".into(),
            "No long-running test to catch slow leaks.".into(),
        ],
        whys: vec![
            "Why was the service slow? Because it was stuck in garbage collection.".into(),
            "Why? Because the old generation was full.".into(),
            format!("Why? Because {lib} {to} leaked objects."),
            "Why did it reach production? Because tests do not run long enough to show a leak.".into(),
        ],
        lessons: vec![
            "Dependency bumps are changes; roll them out one at a time and watch them.".into(),
            "GC time is a better early signal than memory usage for JVM services.".into(),
        ],
        actions: vec![
            "Alert when GC time exceeds 10% over 15 minutes.".into(),
            "Merge dependency updates individually for core libraries.".into(),
            "Add a soak test for JVM services.".into(),
        ],
        mitigations: vec!["rollback"],
        ..Default::default()
    }
}

fn dependency_upgrade_tls_lib(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let base = c.p(&[
        "Debian bookworm",
        "Ubuntu 22.04",
        "Alpine 3.17",
        "a newer distroless image",
    ]);
    let partner = c.p(&[
        "a bank's legacy SFTP/HTTPS gateway",
        "a carrier's tracking API",
        "a government tax endpoint",
        "an insurance partner's SOAP service",
    ]);
    Sc {
        trigger: "dependency-upgrade",
        techs: vec!["tls", "docker", "linux", c.lang],
        alert: "PartnerCallFailures".into(),
        detections: vec!["automated-alert", "internal-user-report", "customer-report"],
        cats: vec!["partial-outage", "increased-errors"],
        factors: vec!["undocumented-dependency", "insufficient-testing", "staging-parity-gap"],
        humans: vec!["knowledge-gap", "assumption-of-safety"],
        title: c.ps(vec![
            format!("Base image upgrade to {base} broke TLS to a partner still on old ciphers"),
            "OpenSSL 3 stopped talking to a legacy partner endpoint".into(),
        ]),
        summary: format!("Moving {svc} to {base} brought in OpenSSL 3, which refuses the legacy renegotiation and small keys that {partner} still uses. Every call to the partner failed the TLS handshake."),
        symptom: format!("calls from {svc} to the partner failed with `unsafe legacy renegotiation disabled`"),
        effect: "Features that depend on the partner integration stopped working".into(),
        happened: format!("A routine base image update moved {svc} to {base}. All our own endpoints worked. Calls to {partner} failed with `SSL routines::unsafe legacy renegotiation disabled` or `dh key too small`. The partner sandbox used by our staging tests has a modern TLS setup, so staging was green."),
        why: "OpenSSL 3 changed defaults to refuse insecure legacy options. The partner's production endpoint depends on them. Nobody had recorded that this integration needed special TLS handling.".into(),
        fix: format!("{} rolled back the base image for {svc}. {} then added a dedicated OpenSSL config for the partner client only, enabling legacy renegotiation for that connection, and we asked the partner to upgrade.", cap(&oc), cap(&e2)),
        start_event: format!("{} deployed on {base}", cap(&svc)),
        events: vec![
            "Handshake failures to partner".into(),
            "Error traced to OpenSSL 3 defaults".into(),
        ],
        mitigate_event: "Base image rolled back".into(),
        resolve_event: "Scoped legacy TLS config deployed on the new image".into(),
        root_causes: vec![
            "OpenSSL 3 refuses legacy TLS options the partner needs.".into(),
            "The partner sandbox differs from its production endpoint.".into(),
        ],
        whys: vec![
            "Why did partner calls fail? Because the TLS handshake failed.".into(),
            "Why? Because the new OpenSSL refuses legacy renegotiation.".into(),
            "Why did tests pass? Because the partner sandbox uses modern TLS.".into(),
        ],
        lessons: vec!["Base image updates change far more than the application code.".into()],
        actions: vec![
            "Add a smoke test against the partner's production endpoint.".into(),
            "Document integrations that need non-default TLS settings.".into(),
        ],
        mitigations: vec!["rollback", "config-change"],
        ..Default::default()
    }
}

fn feature_flag_slow_query(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let flag = c.p(&[
        "new-search-ranking",
        "show-recently-viewed",
        "enable-bulk-export",
        "order-history-v2",
        "smart-recommendations",
    ]);
    let pct_rollout = *[5u32, 10, 25, 50, 100]
        .get(c.n(0, 4) as usize)
        .unwrap_or(&10);
    let db = c.p(&["postgresql", "mysql", "clickhouse", "mongodb"]);
    let ms = c.n(2, 40) * 1000;
    Sc {
        trigger: "feature-flag",
        techs: vec!["launchdarkly", db, c.lang],
        alert: "DatabaseCPUHigh".into(),
        detections: vec!["automated-alert", "automated-alert", "engineer-noticed"],
        cats: vec!["increased-latency", "degraded-performance", "partial-outage"],
        factors: vec!["insufficient-testing", "staging-parity-gap", "no-canary", "missing-monitoring"],
        humans: vec!["assumption-of-safety", "communication-breakdown", "distraction"],
        title: c.ps(vec![
            format!("Enabling `{flag}` for {pct_rollout}% of users ran a {ms} ms query on every page view"),
            "Feature flag turned on a slow query that saturated the database".into(),
            format!("Flag rollout of `{flag}` overloaded the primary database"),
        ]),
        summary: format!("A product manager raised the `{flag}` flag in {svc} to {pct_rollout}% of users. The feature ran a query without a suitable index that took about {ms} ms, once per page view. Database CPU hit 100% and everything sharing that database slowed down until the flag was turned off."),
        symptom: "database CPU was at 100% and the slow query log was full of one query".to_string(),
        effect: "Pages across the product were slow or timed out, not just the new feature".into(),
        happened: format!("The `{flag}` flag was raised from internal users to {pct_rollout}% in the flag dashboard, with no deploy. Within minutes, database CPU went to 100%. The slow query log showed one query at around {ms} ms, run thousands of times a minute. Other pages sharing the database slowed to a crawl."),
        why: "The query had been tested with internal accounts, which have little data; for long-standing customers it scanned millions of rows because the index it needed did not exist. Flag changes are not announced to engineering and have no automatic guardrails.".into(),
        fix: format!("{} turned the flag off; CPU fell within a minute. {} added the missing index and we re-enabled the flag at 1% with database CPU on a shared dashboard before increasing it.", cap(&oc), cap(&e2)),
        start_event: format!("Flag `{flag}` raised to {pct_rollout}%"),
        events: vec![
            "Database CPU at 100%".into(),
            "Slow query log points to the new feature's query".into(),
            "Flag change found in the audit log".into(),
        ],
        mitigate_event: "Flag turned off".into(),
        resolve_event: "Index added; flag re-enabled at 1%".into(),
        root_causes: vec![
            "The new feature's query lacked an index and was slow for large accounts.".into(),
            "Flag changes bypass the deploy process and its monitoring.".into(),
        ],
        whys: vec![
            "Why were pages slow? Because the database was saturated.".into(),
            "Why? Because of a slow query run on every page view.".into(),
            "Why did it start then? Because a flag enabled it for many users.".into(),
            "Why was it slow? Because testing used small internal accounts.".into(),
        ],
        lessons: vec![
            "A flag flip is a production change.".into(),
            "Test with data shaped like your largest customers.".into(),
        ],
        actions: vec![
            "Post flag changes to the deploy channel.".into(),
            "Require staged percentages for flags touching the database.".into(),
            "Run EXPLAIN on new queries against a production-sized copy in CI.".into(),
        ],
        mitigations: vec!["feature-flag-off"],
        ..Default::default()
    }
}

fn runaway_cleanup(c: &mut Ctx) -> Sc {
    let V { oc, e2, .. } = c.v();
    let (tool, what, thing) = c.pk(vec![
        (
            "ansible",
            "a playbook meant for the staging inventory ran against every host",
            "hosts",
        ),
        ("s3", "an S3 lifecycle rule with an empty prefix", "objects"),
        (
            "lambda",
            "a cost-saving function that deleted unattached volumes",
            "EBS volumes",
        ),
        (
            "terraform",
            "a scheduled cleanup job that destroyed resources not tagged as protected",
            "resources",
        ),
    ]);
    let n = c.n(12, 900);
    let mut sc = Sc {
        trigger: "runaway-automation",
        techs: vec![tool, "aws", c.p(&["ebs", "s3", "ec2"])],
        alert: "ResourceCountDrop".into(),
        detections: vec!["automated-alert", "engineer-noticed", "internal-user-report"],
        cats: vec!["partial-outage", "data-loss"],
        factors: vec!["insufficient-access-controls", "poor-change-review", "missing-backups", "insufficient-testing"],
        humans: vec!["assumption-of-safety", "tooling-confusion", "knowledge-gap"],
        root_causes: vec![
            format!("{} with no limit on how much it could delete.", cap(what)),
            "The automation's credentials could delete production resources.".into(),
            "No dry-run or approval step before destructive actions.".into(),
        ],
        whys: vec![
            format!("Why were {thing} deleted? Because automation selected them."),
            "Why? Because its selection logic matched far more than intended.".into(),
            "Why could it delete production? Because its role had broad delete permissions.".into(),
            "Why was there no brake? Because nobody imagined it selecting everything.".into(),
        ],
        lessons: vec![
            "Destructive automation needs a blast radius limit: stop if it wants to delete more than N.".into(),
            "Give automation the least privilege it needs, per environment.".into(),
        ],
        actions: vec![
            "Add a maximum-deletions guard to every cleanup job.".into(),
            "Run destructive automation in dry-run by default.".into(),
            "Scope automation credentials per environment.".into(),
        ],
        ..Default::default()
    };
    if c.nm {
        sc.title = format!(
            "Cleanup automation tried to delete {n} production {thing}; stopped by a guard"
        );
        sc.summary = format!("{} selected {n} production {thing} for deletion. A deletion limit added after an earlier scare stopped it after the first 3, which were restored within the hour.", cap(what));
        sc.data_loss = false;
        sc.detections = vec!["automated-alert", "engineer-noticed"];
        sc.symptom = format!("the cleanup job aborted on its deletion limit with {n} candidates");
        sc.effect = "No customer impact; three non-critical resources were restored".into();
        sc.happened = format!("{} The job's guard aborts if more than 10 deletions are planned in one run, and it aborted and paged {oc}.", cap(what));
        sc.why = "The selection logic treated a missing tag as a match, and most production resources created before our tagging policy have no tags at all. The job had only ever run in an account where everything was tagged.".into();
        sc.fix = format!(
            "{} fixed the selector and restored the three deleted {thing}.",
            cap(&e2)
        );
        sc.start_event = "Cleanup job starts".into();
        sc.events = vec!["Job aborts on deletion guard".into()];
        sc.mitigate_event = "Job disabled".into();
        sc.resolve_event = "Selector fixed".into();
        sc.mitigations = vec!["restore-from-backup", "config-change"];
        sc.cats = vec![];
        return sc;
    }
    sc.data_loss = true;
    sc.plain_impact = true;
    sc.title = c.ps(vec![
        format!("Cleanup automation deleted {n} production {thing}"),
        format!("Runaway automation: {what}"),
    ]);
    sc.summary = format!("{}. Before anyone noticed it had removed {n} production {thing}, and we spent hours restoring from snapshots and backups.", cap(what));
    sc.symptom = format!("{n} production {thing} had disappeared");
    sc.effect = "Several internal and customer-facing services were unavailable until restored; some data since the last snapshot was lost".into();
    sc.happened = format!("{}. It ran as designed, with credentials that could delete in production, and removed {n} {thing} before anyone noticed the alerts. Services that depended on them failed one after another.", cap(what));
    sc.why = "The selection logic was tested only in an account where it matched a handful of resources. Nothing limited how many it could delete in one run, and its role was not scoped to non-production.".into();
    sc.fix = format!("{} disabled the automation and revoked its credentials. {} led the restore from snapshots; the most recent snapshots were up to 24 hours old, and the gap was rebuilt from application logs where possible.", cap(&oc), cap(&e2));
    sc.start_event = "Automation run starts".into();
    sc.events = vec![
        "Alerts for missing resources".into(),
        "Automation disabled and credentials revoked".into(),
        "Restore from snapshots started".into(),
    ];
    sc.mitigate_event = "Critical services restored".into();
    sc.resolve_event = "All resources restored; gaps reconciled".into();
    sc.mitigations = vec!["restore-from-backup", "manual-data-repair"];
    sc
}

fn manual_wrong_host(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (tech, cmd, what) = c.pk(vec![
        (
            "redis",
            "FLUSHALL",
            "flushed every key from the production Redis instance instead of the staging one",
        ),
        (
            "mysql",
            "DELETE FROM sessions WHERE created_at < NOW()",
            "ran a clean-up DELETE with a wrong condition that removed all rows",
        ),
        (
            "postgresql",
            "TRUNCATE order_events",
            "truncated a table on the production primary instead of a replica copy",
        ),
        (
            "kubernetes",
            "kubectl delete namespace payments",
            "deleted a namespace in the production cluster because the kube context was wrong",
        ),
        (
            "linux",
            "rm -rf /var/lib/app/data/*",
            "deleted the data directory on a production host instead of a test VM",
        ),
    ]);
    let rows = c.n(1, 900) * 1000;
    Sc {
        trigger: "manual-command",
        techs: vec![tech, "linux", c.lang],
        alert: "ErrorRateHigh".into(),
        detections: vec!["automated-alert", "engineer-noticed", "customer-report"],
        cats: vec!["partial-outage", "data-loss", "increased-errors"],
        data_loss: tech != "redis",
        plain_impact: true,
        factors: vec!["manual-process", "insufficient-access-controls", "missing-runbook"],
        humans: vec!["fatigue", "tooling-confusion", "distraction", "time-pressure"],
        title: c.ps(vec![
            format!("`{cmd}` ran against production instead of staging"),
            format!("Wrong terminal, wrong environment: an engineer {what}"),
            format!("Manual command in production affected {svc}"),
        ]),
        summary: format!("While cleaning up after a test, an engineer {what}. {} lost its data and we restored it from backups and replicas.", cap(&svc)),
        symptom: format!("{svc} suddenly had no data for most users"),
        effect: format!("{} showed empty or missing data and many requests failed", cap(&svc)),
        happened: format!("Late in the day an engineer ran `{cmd}` in a terminal they believed was connected to staging. It was production. About {rows} records were gone before the command finished. The engineer noticed immediately and raised the incident."),
        why: "Production and staging shells looked identical: same prompt, same colours, same user. Access to run destructive commands in production did not require a second person or a break-glass step. The engineer had been working for ten hours.".into(),
        fix: format!("{} restored from the latest backup and replayed changes since, where we could. {} set production prompts to red, added confirmation wrappers for destructive commands, and moved routine clean-up into reviewed scripts.", cap(&oc), cap(&e2)),
        start_event: format!("`{cmd}` run against production"),
        events: vec![
            "Engineer raises the incident".into(),
            "Restore from backup started".into(),
            "Changes since the backup replayed".into(),
        ],
        mitigate_event: "Data restored; service working".into(),
        resolve_event: "Restore verified; safeguards added".into(),
        root_causes: vec![
            format!("An engineer {what}."),
            "Production and staging shells were indistinguishable.".into(),
            "Destructive commands in production needed no confirmation.".into(),
        ],
        whys: vec![
            "Why was data lost? Because a destructive command ran in production.".into(),
            "Why? Because the engineer thought they were in staging.".into(),
            "Why? Because the environments look the same in a terminal.".into(),
            "Why could one person do it? Because production access has no guard for destructive commands.".into(),
        ],
        lessons: vec![
            "The system made this mistake easy; blaming the engineer would fix nothing.".into(),
            "Make production look and feel different.".into(),
        ],
        actions: vec![
            "Colour-code production shells and kube contexts.".into(),
            "Require break-glass access for destructive commands.".into(),
            "Script and review routine clean-up tasks.".into(),
        ],
        mitigations: vec!["restore-from-backup", "manual-data-repair"],
        ..Default::default()
    }
}

fn backup_never_restored(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (db, tool) = c.pk(vec![
        ("postgresql", "pg_dump"),
        ("mysql", "mysqldump"),
        ("mongodb", "mongodump"),
        ("sqlite", "a cron job copying the SQLite file"),
    ]);
    let months = c.n(3, 30);
    let flaw = c.pk(vec![
        format!("the backups were empty: {tool} had been failing since a password change {months} months ago and the script ignored its exit code"),
        format!("the backups were encrypted with a key that was stored only on the server being restored"),
        format!("the backups skipped the largest tables because of a `--exclude` added to save space {months} months ago"),
    ]);
    let mut sc = Sc {
        trigger: "backup-failure",
        techs: vec![db, "s3", "linux"],
        alert: "BackupJobFailed".into(),
        detections: vec!["audit-or-review", "engineer-noticed"],
        cats: vec!["data-loss", "partial-outage"],
        factors: vec![
            "untested-recovery",
            "missing-backups",
            "missing-monitoring",
            "unclear-ownership",
        ],
        humans: vec![
            "assumption-of-safety",
            "normalisation-of-deviance",
            "knowledge-gap",
        ],
        root_causes: vec![
            format!("Backups were unusable: {flaw}."),
            "Restores were never tested.".into(),
            "The backup job reported success without checking its output.".into(),
        ],
        whys: vec![
            "Why could we not restore? Because the backups were unusable.".into(),
            format!("Why? Because {flaw}."),
            "Why did nobody know? Because we never tested a restore.".into(),
            "Why not? Because backups had no owner after a reorganisation.".into(),
        ],
        lessons: vec![
            "A backup you have not restored is not a backup.".into(),
            "Backup success means a verified restore, not an exit code.".into(),
        ],
        actions: vec![
            "Run an automated restore test weekly and alert on failure.".into(),
            "Store backup encryption keys separately from the servers.".into(),
            "Assign an owner for backups of every datastore.".into(),
        ],
        ..Default::default()
    };
    if c.nm {
        sc.title = "First-ever restore test found our backups were unusable".into();
        sc.summary = format!("A restore drill found that {flaw}. Nothing was lost, but for {months} months we could not have recovered {svc} from a failure.");
        sc.symptom = "the restore drill produced an unusable database".into();
        sc.effect = "No user impact; a latent risk of total data loss".into();
        sc.happened = format!("As part of an audit, {oc} tried to restore {svc}'s database into a scratch environment for the first time. It did not work: {flaw}.");
        sc.why = "The backup job reported success based on the upload, not on what was uploaded, and restores were never tested.".into();
        sc.fix = format!("{} fixed the backup job, took a fresh backup and restored it successfully the same day. We now run an automated restore weekly.", cap(&e2));
        sc.start_event = "Restore drill starts".into();
        sc.events = vec!["Restore fails".into(), "Backup job fixed".into()];
        sc.mitigate_event = "Verified backup taken".into();
        sc.resolve_event = "Weekly automated restore test in place".into();
        sc.mitigations = vec!["config-change"];
        sc.cats = vec![];
        return sc;
    }
    sc.data_loss = true;
    sc.plain_impact = true;
    sc.title = c.ps(vec![
        "The backup restore that never worked".into(),
        format!("Needed a restore after a disk failure; {months} months of backups were unusable"),
    ]);
    sc.summary = format!("After losing the database volume for {svc}, we went to restore from backup and found {flaw}. We recovered most data from a lagging replica and application logs, but some was lost.");
    sc.symptom = format!("the database for {svc} was gone and the backup would not restore");
    sc.effect = format!(
        "{} was down for hours and some recent data was lost permanently",
        cap(&svc)
    );
    sc.happened = format!("The volume holding the {db} database for {svc} failed. The plan was to restore the nightly backup. The restore failed: {flaw}. The backups had been reported as successful every night.");
    sc.why = "The backup job checked that a file was uploaded, not that it could be restored. We had never done a restore, and backups had no clear owner after a reorganisation.".into();
    sc.fix = format!("{} rebuilt the database from a replica that had stopped replicating a few hours before the failure, and {e2} replayed what we could from application logs. The rest of the gap was lost and affected customers were contacted.", cap(&oc));
    sc.start_event = "Database volume fails".into();
    sc.events = vec![
        "Restore from backup fails".into(),
        "Lagging replica found and promoted".into(),
        "Log replay to close the gap".into(),
    ];
    sc.mitigate_event = "Service running on rebuilt database".into();
    sc.resolve_event = "Data gap reconciled as far as possible; customers informed".into();
    sc.mitigations = vec!["failover", "manual-data-repair"];
    sc
}

fn thundering_herd_reconnect(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let clients = c.n(20, 800) * 1000;
    let (broker, what) = c.pk(vec![
        ("nats", "NATS cluster"),
        ("rabbitmq", "RabbitMQ cluster"),
        ("nginx", "websocket gateway"),
        ("redis", "Redis pub/sub nodes"),
    ]);
    Sc {
        trigger: "thundering-herd",
        techs: vec![broker, c.p(&["nodejs", "go"]), "tcp", c.p(&["kubernetes", "ec2"])],
        alert: "ConnectionRateHigh".into(),
        detections: vec!["automated-alert", "automated-alert", "customer-report"],
        cats: vec!["partial-outage", "increased-errors", "increased-latency"],
        factors: vec!["aggressive-retries", "missing-rate-limiting", "insufficient-capacity-planning"],
        humans: vec!["assumption-of-safety", "knowledge-gap"],
        title: c.ps(vec![
            format!("{clients} clients reconnected at the same second after a {what} restart"),
            format!("Thundering herd of reconnects kept the {what} down"),
        ]),
        summary: format!("A routine restart of the {what} behind {svc} dropped {clients} connected clients. They all reconnected immediately with no jitter, the authentication burst overloaded the servers, they dropped connections again, and the cycle repeated."),
        symptom: format!("{clients} clients were reconnecting in waves and the {what} kept failing"),
        effect: "Real-time updates stopped and apps showed \"reconnecting\" for most users".into(),
        happened: format!("We restarted the {what} to apply a config change. All {clients} clients noticed within a second and reconnected together. Each reconnect requires a token check, and the auth path could handle about a tenth of that rate. Servers ran out of CPU, timed out handshakes, and clients retried after a fixed 1-second delay, producing a new wave every second."),
        why: "Clients used a fixed retry delay with no jitter or backoff. The servers had no limit on concurrent handshakes, so they accepted more work than they could finish. Restarts had always been done at night, when far fewer clients are connected.".into(),
        fix: format!("{} blocked new connections at the load balancer and let them in gradually by raising a connection rate limit in steps. {} shipped a client update with exponential backoff and jitter.", cap(&oc), cap(&e2)),
        start_event: format!("{} restarted", cap(what)),
        events: vec![
            "Reconnect waves every second".into(),
            "Connection rate limit added at the load balancer".into(),
            "Limit raised in steps".into(),
        ],
        mitigate_event: "All clients reconnected".into(),
        resolve_event: "Client backoff and server handshake limit deployed".into(),
        root_causes: vec![
            "Clients reconnect with a fixed delay and no jitter.".into(),
            "No limit on concurrent handshakes on the server.".into(),
            "Restart during peak hours.".into(),
        ],
        whys: vec![
            "Why did the service stay down? Because reconnect waves kept overloading it.".into(),
            "Why waves? Because every client retried after exactly one second.".into(),
            "Why did that overload it? Because handshakes need a token check and nothing limited them.".into(),
        ],
        lessons: vec![
            "Every client retry loop needs backoff and jitter.".into(),
            "Servers must protect themselves by limiting admission.".into(),
        ],
        actions: vec![
            "Add exponential backoff with jitter to all clients.".into(),
            "Limit concurrent handshakes per server.".into(),
            "Drain connections gradually on restart.".into(),
        ],
        mitigations: vec!["rate-limiting", "block-traffic"],
        ..Default::default()
    }
}

fn retry_storm_rate_limit(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (api, queue) = c.pk(vec![
        ("stripe", "sidekiq"),
        ("sendgrid", "celery"),
        ("oauth", "sqs"),
        ("stripe", "rabbitmq"),
    ]);
    let api_name = match api {
        "stripe" => "Stripe",
        "sendgrid" => "SendGrid",
        _ => "a partner's OAuth API",
    };
    let limit = c.n(1, 10) * 25;
    let mult = c.n(8, 60);
    Sc {
        trigger: "retry-storm",
        techs: vec![api, queue, c.lang, "redis"],
        alert: "Upstream429Rate".into(),
        detections: vec!["automated-alert", "vendor-notification", "internal-user-report"],
        vendor: api_name.to_string(),
        cats: vec!["increased-errors", "degraded-performance", "partial-outage"],
        factors: vec!["aggressive-retries", "missing-rate-limiting", "no-circuit-breaker", "inadequate-timeouts"],
        humans: vec!["confirmation-bias", "on-call-overload"],
        title: c.ps(vec![
            format!("Retry storm against {api_name}: {mult}x normal request rate, almost all 429s"),
            format!("Workers retried rate-limited calls to {api_name} until we were blocked"),
        ]),
        summary: format!("A short slowdown at {api_name} made background jobs in {svc} fail and retry immediately, several times each. The retries pushed us far over our rate limit of {limit} requests per second, so even new requests got 429s and the backlog never drained."),
        symptom: format!("{mult}x the normal rate of calls to {api_name}, nearly all answered with 429"),
        effect: format!("Operations in {svc} that call {api_name} were delayed by up to hours"),
        happened: format!("{} had a few minutes of elevated latency. Our {queue} workers timed out and retried immediately, and the HTTP client inside each job also retried three times. Each failed call became up to twelve calls. We went over our limit of {limit} requests per second and {api_name} started answering 429, which our code also treated as retryable with no delay.", cap(api_name)),
        why: "Retries were layered: the HTTP client, the job, and the queue each retried independently. None honoured the Retry-After header or used backoff. There was no client-side rate limit, so we relied entirely on the provider to push back.".into(),
        fix: format!("{} paused the queue to let the rate limit window reset, and {e2} deployed a change adding a shared token bucket in Redis for the API, exponential backoff with jitter, and respect for Retry-After. The backlog drained over the next hour within the limit.", cap(&oc)),
        start_event: format!("{api_name} latency rises briefly"),
        events: vec![
            "Retries multiply outbound calls".into(),
            "429 responses dominate".into(),
            "Queue paused".into(),
        ],
        mitigate_event: "Client-side rate limit deployed; queue resumed".into(),
        resolve_event: "Backlog drained".into(),
        root_causes: vec![
            "Retries at three layers multiplied load.".into(),
            "429 responses were retried immediately without honouring Retry-After.".into(),
            "No client-side rate limiting.".into(),
        ],
        whys: vec![
            "Why were calls rejected? Because we exceeded the rate limit.".into(),
            "Why? Because of retries.".into(),
            "Why so many? Because three layers each retried without backoff.".into(),
        ],
        lessons: vec![
            "Retry in one place only, with backoff, jitter and a budget.".into(),
            "A 429 is an instruction to slow down, not an error to retry.".into(),
        ],
        actions: vec![
            "Remove retries from the HTTP client layer.".into(),
            "Honour Retry-After everywhere.".into(),
            "Add shared client-side rate limits for third-party APIs.".into(),
        ],
        mitigations: vec!["rate-limiting", "hotfix", "shed-load"],
        ..Default::default()
    }
}

fn redis_resync_loop(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let gb = c.n(6, 60);
    let backlog = c.p(&["1mb", "16mb", "64mb"]);
    Sc {
        trigger: "replication-lag",
        techs: vec!["redis", "redis-sentinel", "linux", c.p(&["ec2", "kubernetes"])],
        alert: "RedisReplicaLinkDown".into(),
        detections: vec!["automated-alert", "automated-alert", "engineer-noticed"],
        cats: vec!["increased-latency", "degraded-performance", "increased-errors"],
        factors: vec!["inadequate-timeouts", "insufficient-capacity-planning", "missing-monitoring"],
        humans: vec!["confirmation-bias", "fatigue"],
        title: c.ps(vec![
            "Redis replica resync loop saturated the primary".into(),
            format!("Full resync of a {gb} GB Redis dataset repeated every few minutes"),
        ]),
        summary: format!("A Redis replica fell behind, asked for a full resync of the {gb} GB dataset, and the replication buffer overflowed before the transfer finished. The replica dropped and asked again, over and over. Each attempt forked the primary and sent gigabytes over the network, slowing {svc}."),
        symptom: "the Redis primary was forking every few minutes and latency spiked each time".into(),
        effect: format!("{} had latency spikes of several seconds and occasional timeouts", cap(&svc)),
        happened: format!("After a network blip, one replica lost its link to the primary. Partial resync failed because the backlog of {backlog} was too small, so it requested a full sync. The primary forked to write an RDB snapshot of {gb} GB, which took minutes, while writes kept arriving into the replica's output buffer. The buffer hit `client-output-buffer-limit replica`, the primary dropped the replica, and the replica started over."),
        why: format!("The output buffer limit and backlog size were defaults chosen when the dataset was a tenth of its size. Each fork on a large, busy instance caused copy-on-write memory growth and latency spikes for clients of {svc}. Nothing alerted on repeated full syncs."),
        fix: format!("{} took the replica out of Sentinel's view to stop the loop. {} raised `client-output-buffer-limit replica` and `repl-backlog-size`, and the next full sync completed in one go during low traffic.", cap(&oc), cap(&e2)),
        start_event: "Replica loses link to primary".into(),
        events: vec![
            "Repeated `Full resync` messages in the primary log".into(),
            "Replica disconnected for exceeding output buffer limit".into(),
            "Replica removed from rotation".into(),
        ],
        mitigate_event: "Resync loop stopped; primary latency normal".into(),
        resolve_event: "Replica fully synced with new buffer limits".into(),
        root_causes: vec![
            "Replica output buffer limit too small for a full sync of the current dataset.".into(),
            format!("Replication backlog of {backlog} too small for partial resync after short outages."),
        ],
        whys: vec![
            "Why was the primary slow? Because it kept forking for full syncs.".into(),
            "Why? Because the replica never finished syncing.".into(),
            "Why? Because the output buffer overflowed during each transfer.".into(),
            "Why? Because limits were sized for a much smaller dataset.".into(),
        ],
        lessons: vec!["Replication settings must grow with the dataset.".into()],
        actions: vec![
            "Alert on full sync count and replica link flaps.".into(),
            "Size backlog and buffer limits from write rate and dataset size.".into(),
            "Split the largest Redis instance.".into(),
        ],
        mitigations: vec!["config-change", "drain-node"],
        ..Default::default()
    }
}

fn replica_lag_stale_reads(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (db, name) = c.pk(vec![
        ("mysql", "MySQL"),
        ("postgresql", "PostgreSQL"),
        ("mariadb", "MariaDB"),
    ]);
    let lag = c.n(30, 1800);
    let job = c.p(&[
        "a nightly batch update of all prices",
        "a backfill that updated 40 million rows in one transaction",
        "an analytics export with long-running queries on the replica",
    ]);
    Sc {
        trigger: "replication-lag",
        techs: vec![db, c.lang, c.p(&["rds", "linux", "haproxy"])],
        alert: "ReplicaLagHigh".into(),
        detections: vec!["customer-report", "automated-alert", "internal-user-report"],
        cats: vec!["increased-errors", "degraded-performance"],
        factors: vec!["missing-monitoring", "tight-coupling", "insufficient-testing"],
        humans: vec!["confirmation-bias", "assumption-of-safety"],
        title: c.ps(vec![
            format!("{name} replica lag of {} served stale data to users", dur(lag / 60 + 1)),
            "Users saw changes disappear: read-your-writes broken by replica lag".into(),
        ]),
        summary: format!("{} sent reads to {name} replicas that were up to {lag} seconds behind after {job}. Users saw their own changes vanish after saving, and some re-submitted them, creating duplicates.", cap(&svc)),
        symptom: format!("users reported that saved changes disappeared; replicas were {lag} seconds behind"),
        effect: "Users saw outdated data right after saving and some repeated actions".into(),
        happened: format!("{} started during the day and the replicas could not keep up with the write volume. Replica lag grew to {lag} seconds. {} reads from replicas for everything except the write itself, so a user who saved a change and reloaded saw the old version.", cap(job), cap(&svc)),
        why: "Read routing ignored replica lag. The batch job ran as large transactions, which replicas apply serially. The lag alert threshold was 10 minutes and went to a low-priority channel.".into(),
        fix: format!("{} paused the job and routed reads to the primary temporarily; {e2} changed the router to skip replicas more than 5 seconds behind and to read from the primary for a user's own data shortly after a write.", cap(&oc)),
        start_event: "Batch job starts".into(),
        events: vec![
            "Replica lag climbing".into(),
            "Support reports disappearing changes".into(),
            "Job paused; reads sent to primary".into(),
        ],
        mitigate_event: "Replicas caught up".into(),
        resolve_event: "Lag-aware read routing deployed".into(),
        root_causes: vec![
            format!("Replicas fell {lag} seconds behind after {job}."),
            "Read routing did not consider replica lag.".into(),
        ],
        whys: vec![
            "Why did users see old data? Because reads went to lagging replicas.".into(),
            "Why were they lagging? Because of a large batch job.".into(),
            "Why did routing not avoid them? Because it ignored lag.".into(),
        ],
        lessons: vec!["Replicas are eventually consistent; the application must know that.".into()],
        actions: vec![
            "Skip replicas with lag above 5 seconds.".into(),
            "Break batch jobs into small transactions.".into(),
            "Page on replica lag over 60 seconds.".into(),
        ],
        mitigations: vec!["traffic-shift", "config-change"],
        ..Default::default()
    }
}

fn unknown_latency_spikes(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let ms = c.n(400, 3000);
    let every = c.n(5, 40);
    Sc {
        trigger: "unknown",
        techs: vec!["tcp", "linux", c.p(&["aws", "gcp", "azure"]), c.p(&["envoy", "nginx", "haproxy"])],
        alert: "LatencyP99High".into(),
        detections: vec!["automated-alert", "customer-report", "synthetic-monitoring"],
        cats: vec!["increased-latency", "degraded-performance"],
        factors: vec!["missing-monitoring", "vendor-opacity", "hidden-shared-dependency"],
        humans: vec!["confirmation-bias", "fatigue", "on-call-overload"],
        title: c.ps(vec![
            format!("Unexplained {ms} ms latency spikes every {every} minutes, gone after two days"),
            "Intermittent latency spikes we never found the cause of".into(),
        ]),
        summary: format!("For about two days, requests to {svc} had p99 latency spikes of {ms} ms roughly every {every} minutes. We ruled out our code, the database and garbage collection. The spikes stopped on their own and we never confirmed a root cause."),
        symptom: format!("p99 latency of {svc} spiked to {ms} ms every {every} minutes"),
        effect: "Some requests were slow during short windows".into(),
        happened: format!("Latency graphs for {svc} showed sharp spikes to {ms} ms at a regular interval of about {every} minutes, lasting 20 to 40 seconds. Only some hosts were affected at a time, and it moved between hosts. Packet captures showed TCP retransmissions during the spikes."),
        why: "We do not know. We ruled out deploys, garbage collection, the database, DNS and noisy neighbours on our own hosts. The retransmissions point at the network below us; the provider found nothing. The spikes stopped two days later, around the time of a provider maintenance in the region, which may or may not be related.".into(),
        fix: format!("There was no fix. {} moved the most latency-sensitive traffic to hosts in another zone, which reduced the impact. {} added TCP retransmission metrics per host so we have better data next time.", cap(&oc), cap(&e2)),
        start_event: "First latency spike".into(),
        events: vec![
            "Deploys and GC ruled out".into(),
            "Packet capture shows retransmissions".into(),
            "Provider ticket opened".into(),
        ],
        mitigate_event: "Sensitive traffic shifted to another zone".into(),
        resolve_event: "No spikes for 24 hours; incident closed without root cause".into(),
        root_causes: vec![
            "Unknown; evidence points at packet loss in the provider network.".into(),
        ],
        whys: vec![],
        lessons: vec![
            "Not every incident gets a root cause; write down what was ruled out.".into(),
            "Per-host network metrics would have narrowed this down sooner.".into(),
        ],
        actions: vec![
            "Collect TCP retransmission metrics per host.".into(),
            "Keep the packet capture runbook up to date.".into(),
        ],
        mitigations: vec!["traffic-shift", "vendor-escalation", "wait-it-out"],
        ..Default::default()
    }
}
