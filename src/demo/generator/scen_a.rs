//! Scenario templates, part one: certificates, DNS, networking, clocks.

use super::{cap, dur, Ctx, Entry, Sc, V};

pub(super) fn entries() -> Vec<Entry> {
    vec![
        Entry {
            f: cert_intermediate,
            weight: 2,
            near_miss: true,
            scale: 1.0,
            month_start: false,
            slow: false,
        },
        Entry {
            f: cert_acme_renewal,
            weight: 1,
            near_miss: true,
            scale: 0.8,
            month_start: false,
            slow: true,
        },
        Entry {
            f: dns_ttl_migration,
            weight: 1,
            near_miss: false,
            scale: 1.5,
            month_start: false,
            slow: false,
        },
        Entry {
            f: coredns_ndots,
            weight: 1,
            near_miss: false,
            scale: 0.8,
            month_start: false,
            slow: false,
        },
        Entry {
            f: bgp_leak,
            weight: 1,
            near_miss: true,
            scale: 1.0,
            month_start: false,
            slow: false,
        },
        Entry {
            f: clock_skew_tokens,
            weight: 1,
            near_miss: false,
            scale: 0.8,
            month_start: false,
            slow: false,
        },
        Entry {
            f: leap_second_flag,
            weight: 1,
            near_miss: true,
            scale: 1.0,
            month_start: true,
            slow: false,
        },
        Entry {
            f: network_partition_consul,
            weight: 1,
            near_miss: false,
            scale: 1.2,
            month_start: false,
            slow: false,
        },
        Entry {
            f: split_brain_cluster,
            weight: 1,
            near_miss: false,
            scale: 2.0,
            month_start: false,
            slow: false,
        },
        Entry {
            f: lb_health_check,
            weight: 2,
            near_miss: false,
            scale: 0.6,
            month_start: false,
            slow: false,
        },
        Entry {
            f: lb_idle_timeout,
            weight: 1,
            near_miss: false,
            scale: 1.5,
            month_start: false,
            slow: true,
        },
        Entry {
            f: cloud_zone_outage,
            weight: 2,
            near_miss: false,
            scale: 2.0,
            month_start: false,
            slow: false,
        },
        Entry {
            f: expired_credentials,
            weight: 2,
            near_miss: true,
            scale: 0.7,
            month_start: false,
            slow: true,
        },
        Entry {
            f: security_leaked_key,
            weight: 1,
            near_miss: true,
            scale: 1.5,
            month_start: false,
            slow: false,
        },
        Entry {
            f: security_credential_stuffing,
            weight: 1,
            near_miss: false,
            scale: 1.5,
            month_start: false,
            slow: false,
        },
    ]
}

fn cert_intermediate(c: &mut Ctx) -> Sc {
    let V {
        svc, svc2, oc, e2, ..
    } = c.v();
    let proxy = c.p(&["envoy", "istio", "linkerd"]);
    let issuer = c.p(&["vault", "cert-manager"]);
    let proxy_name = match proxy {
        "envoy" => "Envoy",
        "istio" => "Istio",
        _ => "Linkerd",
    };
    let issuer_name = if issuer == "vault" {
        "the Vault PKI backend"
    } else {
        "cert-manager"
    };
    let years = c.n(2, 5);
    let days_left = c.n(3, 12);
    let err = c.p(&[
        "x509: certificate has expired or is not yet valid",
        "CERTIFICATE_VERIFY_FAILED: certificate has expired",
        "upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED",
    ]);
    let mut sc = Sc {
        trigger: "certificate-expiry",
        techs: vec![proxy, issuer, "tls", "kubernetes"],
        alert: "MeshTLSHandshakeFailures".into(),
        vendor: String::new(),
        detections: vec!["automated-alert", "automated-alert", "synthetic-monitoring", "customer-report"],
        cats: vec!["full-outage", "partial-outage", "increased-errors"],
        factors: vec!["missing-monitoring", "long-lived-credentials", "knowledge-silo", "missing-runbook", "undocumented-dependency"],
        humans: vec!["knowledge-gap", "assumption-of-safety", "time-pressure", "confirmation-bias"],
        root_causes: vec![
            format!("The intermediate CA certificate issued {years} years ago by hand expired; nothing tracked its expiry."),
            "Leaf certificates were rotated automatically, which gave the impression that all certificates were managed.".into(),
            "The certificate-expiry alert only looked at leaf certificates served on public endpoints.".into(),
        ],
        whys: vec![
            "Why did internal calls fail? Because every sidecar rejected its peers' certificate chain.".into(),
            "Why was the chain rejected? Because the intermediate CA in it had expired.".into(),
            format!("Why had it expired? Because it was created by hand {years} years ago with a fixed lifetime and never rotated."),
            "Why did nobody rotate it? Because its expiry was not monitored and the engineer who made it had moved teams.".into(),
            "Why was it not monitored? Because our expiry checks scan public endpoints only, not the internal CA chain.".into(),
        ],
        lessons: vec![
            "Automating leaf rotation does not mean the whole chain is automated; inventory every certificate in the chain.".into(),
            "An expiry that happens once every few years is exactly the one nobody remembers how to handle.".into(),
            "A written procedure for re-issuing the intermediate would have saved most of the time to mitigate.".into(),
        ],
        actions: vec![
            "Alert 30, 14 and 3 days before any certificate in the internal CA chain expires.".into(),
            format!("Move intermediate issuance into {issuer_name} with a 1-year lifetime and automated rotation."),
            "Write and rehearse a runbook for re-issuing the intermediate CA.".into(),
            "Add internal mesh endpoints to the certificate scanner.".into(),
        ],
        ..Default::default()
    };
    if c.nm {
        sc.title = c.ps(vec![
            format!("Internal intermediate CA found {days_left} days before expiry"),
            "Near miss: mesh intermediate certificate almost expired unnoticed".into(),
        ]);
        sc.summary = format!("A routine review found that the intermediate CA certificate used by our {proxy_name} service mesh would expire in {days_left} days. Nothing would have rotated it and every internal TLS connection would have failed.");
        sc.detections = vec!["audit-or-review", "engineer-noticed", "security-scanner"];
        sc.symptom = format!(
            "the intermediate certificate in the mesh trust chain had {days_left} days left"
        );
        sc.effect = "No customer impact; the certificate was rotated before it expired".into();
        sc.happened = format!("While renewing an unrelated public certificate, {oc} ran `openssl x509 -noout -enddate` on the full chain served by the {proxy_name} sidecars and saw the intermediate CA would expire in {days_left} days. It had been created by hand {years} years earlier and was not managed by {issuer_name}, which only rotates the leaf certificates.");
        sc.why = "Our expiry monitoring checks the leaf certificate of each public endpoint. The internal intermediate was never added because it was created before that monitoring existed, and nobody on the current team knew it had a fixed lifetime.".into();
        sc.fix = format!("{} re-issued the intermediate from the offline root, published a trust bundle containing both the old and new intermediate, waited for every sidecar to pick it up, and then switched issuance to the new intermediate. The rotation took two working days and caused no errors.", cap(&e2));
        sc.start_event =
            "Engineer notices the intermediate expiry date while renewing another certificate"
                .into();
        sc.events = vec![
            "Confirmed no automation covers the intermediate".into(),
            "New intermediate issued from the offline root".into(),
            "Dual trust bundle rolled out to all sidecars".into(),
        ];
        sc.mitigate_event = "Issuance switched to the new intermediate".into();
        sc.resolve_event = "Old intermediate removed from the trust bundle".into();
        sc.mitigations = vec!["certificate-renewal"];
        sc.cats = vec![];
        return sc;
    }
    sc.title = c.ps(vec![
        "Expired intermediate certificate broke service-to-service TLS".into(),
        format!("Mesh-wide TLS failures after a {years}-year-old intermediate CA expired"),
        format!("Internal mTLS outage: {proxy_name} sidecars rejected an expired intermediate"),
    ]);
    sc.summary = format!("The intermediate CA certificate that signs our {proxy_name} mesh certificates expired, and every sidecar started rejecting its peers. Calls between services failed until we issued a new intermediate and pushed a new trust bundle.");
    sc.symptom = format!("calls from {svc} to {svc2} failed with `{err}`");
    sc.effect = "Requests that crossed more than one internal service failed".into();
    sc.happened = format!("At the top of the hour, calls between services inside the mesh started failing. {proxy_name} sidecar logs were full of `{err}`. Only traffic that stayed inside a single service kept working, so the public endpoints returned 503s for almost everything that needed {svc2}. Leaf certificates were only days old, which sent us looking in the wrong place for the first twenty minutes.");
    sc.why = format!("The leaf certificates are issued by {issuer_name} and rotated every few days. The intermediate that signs them was created by hand {years} years ago with a fixed lifetime and was never added to expiry monitoring. When it expired, every chain became invalid at the same moment. The engineer who set it up had moved to another team and the procedure was not written down.");
    sc.fix = format!("{} generated a new intermediate from the offline root while {e2} prepared a trust bundle containing both the old and the new chain. We pushed the bundle, restarted the sidecars in batches of 20% and re-issued leaf certificates. Errors dropped to zero {} after the first alert.", cap(&oc), dur(c.ttm - c.ttd));
    sc.start_event = "Intermediate CA certificate expires".into();
    sc.events = vec![
        "Leaf certificates checked; all valid, investigation continues".into(),
        format!(
            "{} spots the expired intermediate with openssl s_client",
            cap(&oc)
        ),
        "New intermediate issued from the offline root".into(),
        "Trust bundle rolled out; sidecars restarting in batches".into(),
    ];
    sc.mitigate_event = "Leaf certificates re-issued; error rate back to normal".into();
    sc.resolve_event = "All sidecars confirmed on the new chain".into();
    sc.mitigations = if c.chance(0.5) {
        vec!["certificate-renewal", "restart"]
    } else {
        vec!["certificate-renewal"]
    };
    sc
}

fn cert_acme_renewal(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let ingress = c.p(&["nginx", "traefik", "envoy"]);
    let dns = c.p(&["route53", "cloudflare"]);
    let dns_name = if dns == "route53" {
        "Route 53"
    } else {
        "Cloudflare"
    };
    let failed_days = c.n(25, 31);
    let host = c.p(&["api", "app", "www", "portal", "checkout"]);
    let domain = if c.ident {
        format!("{host}.{}", c.domain)
    } else {
        format!("our {host} hostname")
    };
    let cause = c.p(&[
        "the API token used for the DNS-01 challenge had been revoked during a permissions clean-up",
        "a new CAA record added by another team did not list Let's Encrypt",
        "the DNS-01 solver was writing the challenge record to a hosted zone we had migrated away from",
    ]);
    let mut sc = Sc {
        trigger: "certificate-expiry",
        techs: vec!["cert-manager", "letsencrypt", "kubernetes", ingress, dns, "tls"],
        alert: "BlackboxProbeTLSFailure".into(),
        detections: vec!["customer-report", "synthetic-monitoring", "social-media", "automated-alert"],
        cats: vec!["full-outage", "partial-outage"],
        factors: vec!["missing-monitoring", "alert-fatigue", "undocumented-dependency", "config-drift", "unclear-ownership"],
        root_causes: vec![
            format!("Certificate renewal had been failing for {failed_days} days because {cause}."),
            "cert-manager reported the failure only as a condition on the Certificate resource, which nothing alerted on.".into(),
            "Renewal warnings from Let's Encrypt went to a mailbox of a person who had left.".into(),
        ],
        whys: vec![
            format!("Why did browsers reject {domain}? Because the certificate had expired."),
            format!("Why was it not renewed? Because every ACME DNS-01 challenge for {failed_days} days had failed."),
            format!("Why did the challenges fail? Because {cause}."),
            "Why did nobody notice? Because cert-manager failure conditions were not alerted on.".into(),
            "Why were the expiry e-mails missed? Because the ACME account e-mail was a former employee's address.".into(),
        ],
        lessons: vec![
            "Automatic renewal needs monitoring of the renewal itself, not just the certificate.".into(),
            "Changes to DNS permissions and records can break things far away from DNS.".into(),
            "Expiry notices must go to a team alias, never to a person.".into(),
        ],
        actions: vec![
            "Alert on cert-manager Certificate resources that are not Ready for more than 24 hours.".into(),
            "Add an external probe that fails when any public certificate has under 14 days left.".into(),
            "Change the ACME account e-mail to the platform team alias.".into(),
            "Document which credentials cert-manager depends on.".into(),
        ],
        ..Default::default()
    };
    sc.humans = vec![
        "normalisation-of-deviance",
        "knowledge-gap",
        "communication-breakdown",
    ];
    if c.nm {
        sc.title = format!("Certificate renewal silently failing for {failed_days} days, caught with hours to spare");
        sc.summary = format!("cert-manager had been failing to renew the certificate for {domain} for {failed_days} days because {cause}. An engineer noticed the expiry warning with less than a day left and fixed it before it expired.");
        sc.detections = vec!["engineer-noticed", "vendor-notification", "audit-or-review"];
        sc.vendor = "Let's Encrypt".into();
        sc.symptom = format!("the certificate for {domain} had less than a day left and the Certificate resource showed `Ready: False`");
        sc.effect = "No user impact; the certificate was renewed before it expired".into();
        sc.happened = format!("{} saw a Let's Encrypt expiry notice forwarded from an old mailbox and checked the certificate on {domain}: it expired the next morning. `kubectl describe certificate` showed {failed_days} days of failed orders.", cap(&oc));
        sc.why = format!("The DNS-01 challenge failed because {cause}. cert-manager kept retrying and recording the failure on the resource, but we had no alert on certificate readiness.");
        sc.fix = format!("{} fixed the DNS side and deleted the stuck CertificateRequest; cert-manager issued a new certificate within two minutes.", cap(&e2));
        sc.start_event = "Expiry notice noticed".into();
        sc.events = vec![
            "Found failed ACME orders going back weeks".into(),
            "DNS challenge problem identified".into(),
        ];
        sc.mitigate_event = "Certificate renewed".into();
        sc.resolve_event = "Readiness alert for certificates added".into();
        sc.mitigations = vec!["certificate-renewal", "config-change"];
        return sc;
    }
    sc.title = c.ps(vec![
        format!(
            "Public certificate for {domain} expired after {failed_days} days of failed renewals"
        ),
        "Auto-renewal quietly broke and our main domain served an expired certificate".into(),
        format!("Expired TLS certificate on the {ingress} ingress took the site down"),
    ]);
    sc.summary = format!("The TLS certificate for our {domain} domain expired because cert-manager had been unable to renew it for {failed_days} days. Browsers and API clients refused to connect until we fixed the DNS challenge and forced a renewal.");
    sc.symptom = format!("clients connecting to {domain} got certificate expired errors");
    sc.effect = format!(
        "Browsers showed a certificate warning and API clients of {svc} refused to connect"
    );
    sc.happened = format!("The certificate served by our {ingress} ingress for {domain} expired. Browsers showed `NET::ERR_CERT_DATE_INVALID`; mobile apps and API clients failed hard. The certificate is managed by cert-manager with Let's Encrypt using a DNS-01 challenge against {dns_name}, so we assumed renewal was automatic.");
    sc.why = format!("Renewal had been failing for {failed_days} days because {cause}. cert-manager logged `Error presenting challenge` on every attempt and set the Certificate to not ready, but nobody watched that condition. The expiry e-mails from Let's Encrypt went to the address of an engineer who had left.");
    sc.fix = format!("{} fixed the {dns_name} side of the challenge and {e2} deleted the failed CertificateRequest to force a new order. The new certificate was issued in under two minutes and the ingress picked it up without a restart.", cap(&oc));
    sc.start_event = format!("Certificate for {domain} expires");
    sc.events = vec![
        "Confirmed the served certificate has expired".into(),
        "cert-manager logs show weeks of failed DNS-01 challenges".into(),
        format!("DNS challenge fixed in {dns_name}"),
    ];
    sc.mitigate_event = "New certificate issued and served".into();
    sc.resolve_event =
        "Clients confirmed reconnecting; caches of the bad certificate cleared".into();
    sc.mitigations = vec!["certificate-renewal", "config-change"];
    sc
}

fn dns_ttl_migration(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let old_ttl = c.p(&["86400", "172800", "43200"]);
    let hours = old_ttl.parse::<u32>().unwrap_or(86400) / 3600;
    let resolver = c.p(&["route53", "cloudflare", "dns"]);
    let lb = c.p(&["aws-elb", "haproxy", "nginx"]);
    let mut sc = Sc {
        trigger: "dns-change",
        techs: vec!["dns", resolver, lb],
        alert: "OldLoadBalancerTrafficUnexpected".into(),
        detections: vec![
            "customer-report",
            "internal-user-report",
            "engineer-noticed",
        ],
        cats: vec!["partial-outage", "increased-errors"],
        factors: vec![
            "poor-change-review",
            "manual-process",
            "missing-runbook",
            "staging-parity-gap",
        ],
        humans: vec!["assumption-of-safety", "time-pressure", "confirmation-bias"],
        ..Default::default()
    };
    sc.title = c.ps(vec![
        format!("Load balancer retired while resolvers still cached a {hours}-hour DNS TTL"),
        "DNS migration stranded clients on a decommissioned load balancer".into(),
        "We lowered the DNS TTL at the same time as the change, not before it".into(),
    ]);
    sc.summary = format!("We moved {svc} to a new load balancer and shut the old one down an hour later. The record had a TTL of {old_ttl} seconds, so many resolvers kept sending clients to the old address for most of a day.");
    sc.symptom =
        format!("clients of {svc} were timing out connecting to an address we no longer owned");
    sc.effect = "A growing then shrinking share of clients could not connect at all".into();
    sc.happened = format!("As part of a migration, we pointed the A record for {svc} at a new {lb} and, after checking that traffic arrived there from our own laptops, deleted the old one. The change request said \"lower TTL, switch, decommission\", but the TTL was lowered in the same change as the switch, not a day before. Resolvers that had cached the old answer kept it for up to {hours} hours.");
    sc.why = format!("The record's TTL was {old_ttl} seconds, set years ago when the address never changed. Lowering the TTL only helps once the old TTL has passed, which the migration plan did not make explicit. Our own checks used resolvers that had refreshed quickly, so everything looked fine. Some ISP resolvers also ignore low TTLs and keep answers longer.");
    sc.fix = format!("{} recreated a listener on the old address that forwarded to the new load balancer, which took most of the time to mitigate because the old IP had to be reclaimed. We left the forwarder running for three days and watched its traffic fall to zero before removing it. {} wrote the migration checklist we should have had.", cap(&oc), cap(&e2));
    sc.start_event =
        "A record switched to the new load balancer with TTL lowered in the same change".into();
    sc.events = vec![
        "Confirmed the old load balancer is already gone".into(),
        "Reports of timeouts from several ISPs".into(),
        format!(
            "dig against public resolvers shows the old address with up to {hours}h of TTL left"
        ),
        "Old address reclaimed and a forwarding listener created".into(),
    ];
    sc.mitigate_event = "Forwarder on the old address serving traffic".into();
    sc.resolve_event = "Traffic to the old address at zero; forwarder removed".into();
    sc.root_causes = vec![
        format!("The record's TTL of {old_ttl} seconds was lowered in the same change that switched the address."),
        "The old load balancer was removed before cached answers had expired.".into(),
        "Verification used resolvers that do not represent our users.".into(),
    ];
    sc.whys = vec![
        "Why could clients not connect? Because they were sent to an address with nothing behind it.".into(),
        "Why were they sent there? Because their resolvers still had the old answer cached.".into(),
        format!("Why was it still cached? Because the TTL had been {old_ttl} seconds until the moment of the switch."),
        "Why was the old load balancer already gone? Because the plan allowed decommissioning after one hour.".into(),
    ];
    sc.lessons = vec![
        "Lower the TTL at least one old-TTL before a DNS change, then change the record.".into(),
        "Keep the old endpoint alive, forwarding, until its traffic reaches zero.".into(),
        "Checking from your own machine proves nothing about cached resolvers elsewhere.".into(),
    ];
    sc.actions = vec![
        "Add a DNS migration checklist with explicit TTL waiting periods.".into(),
        "Set a default TTL of 300 seconds for service records.".into(),
        "Alert when a decommissioned address still receives traffic.".into(),
    ];
    sc.mitigations = vec!["traffic-shift", "config-change"];
    sc
}

fn coredns_ndots(c: &mut Ctx) -> Sc {
    let V {
        svc, oc, e2, lang, ..
    } = c.v();
    let qps = c.n(8, 60) * 1000;
    let base = c.n(2, 6) * 1000;
    let p99 = c.n(800, 5000);
    let what = c.p(&[
        "a new stub domain for the corporate zone",
        "a forward block pointing at a new upstream resolver",
        "a cache plugin setting",
    ]);
    c.platform = "kubernetes";
    let mut sc = Sc {
        trigger: "dns-change",
        techs: vec!["coredns", "kubernetes", "dns", c.lang],
        alert: "CoreDNSLatencyHigh".into(),
        detections: vec!["automated-alert", "automated-alert", "engineer-noticed"],
        cats: vec![
            "increased-latency",
            "increased-errors",
            "degraded-performance",
        ],
        factors: vec![
            "staging-parity-gap",
            "insufficient-testing",
            "hidden-shared-dependency",
            "inadequate-timeouts",
        ],
        humans: vec!["assumption-of-safety", "knowledge-gap"],
        ..Default::default()
    };
    sc.title = c.ps(vec![
        "CoreDNS change multiplied lookups and slowed every service in the cluster".into(),
        format!(
            "Cluster DNS overloaded at {}k queries per second after a CoreDNS config change",
            qps / 1000
        ),
        "ndots:5 and a CoreDNS forward change made every external call slow".into(),
    ]);
    sc.summary = format!("A change to the CoreDNS Corefile ({what}) made lookups for external names fall through to a slow upstream. Because of ndots:5, every external name was tried with each search domain first, and CoreDNS went from {}k to {}k queries per second.", base / 1000, qps / 1000);
    sc.symptom = format!("p99 latency of {svc} went above {p99} ms");
    sc.effect = format!(
        "Requests to {svc} and other services making external calls were slow or timed out"
    );
    sc.happened = format!("We rolled out a Corefile change adding {what}. Within minutes CoreDNS pods were at their CPU limit and queries started timing out. {lang} services that call external APIs saw p99 latency of {p99} ms, and some hit their 2-second connect timeout and returned errors. Internal service names still resolved, mostly, which made it look like a problem with the external APIs at first.");
    sc.why = "Pods use the Kubernetes default `ndots:5`, so a name like `api.partner.example` is first tried as `api.partner.example.<namespace>.svc.cluster.local` and so on through every search domain. Those misses used to be answered from cache almost for free. The change altered how misses were forwarded and they now went to an upstream that answered slowly, multiplying load and latency. Staging has a handful of pods and never showed it.".to_string();
    sc.fix = format!("{} reverted the Corefile and restarted CoreDNS; latency recovered within three minutes. Later {e2} added a trailing dot to the external hostnames in our configs, set `ndots: 2` on the busiest deployments and scaled CoreDNS to more replicas with NodeLocal DNSCache.", cap(&oc));
    sc.start_event = "Corefile change applied".into();
    sc.events = vec![
        "CoreDNS pods at CPU limit".into(),
        "Partner APIs ruled out: they answer fine from outside the cluster".into(),
        "Query logs show NXDOMAIN storms for search-domain expansions".into(),
    ];
    sc.mitigate_event = "Corefile reverted; CoreDNS restarted".into();
    sc.resolve_event = "Latency back to baseline for all services".into();
    sc.root_causes = vec![
        "A Corefile change sent search-domain misses to a slow upstream.".into(),
        "The default ndots:5 turns every external lookup into several queries.".into(),
        "CoreDNS was sized for the old, cache-friendly query pattern.".into(),
    ];
    sc.whys = vec![
        "Why were requests slow? Because DNS lookups were taking seconds.".into(),
        "Why were lookups slow? Because CoreDNS was overloaded.".into(),
        format!("Why was it overloaded? Because queries rose from {}k to {}k per second.", base / 1000, qps / 1000),
        "Why did they rise? Because ndots:5 expands every external name and the new config forwarded the misses upstream.".into(),
    ];
    sc.lessons = vec![
        "Cluster DNS is a shared dependency of everything; changes to it need a canary.".into(),
        "The ndots default is a performance trap for services that call external names.".into(),
    ];
    sc.actions = vec![
        "Deploy NodeLocal DNSCache on all clusters.".into(),
        "Set ndots: 2 in the base pod template.".into(),
        "Roll out Corefile changes to one cluster first and watch query rate and latency.".into(),
        "Alert on CoreDNS query latency p99.".into(),
    ];
    sc.mitigations = vec!["rollback", "restart"];
    sc
}

fn bgp_leak(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let asn = c.n(13000, 64000);
    let prefixes = c.n(40, 900);
    let loss = c.n(20, 70);
    let mut sc = Sc {
        trigger: "bgp-route-leak",
        techs: vec!["bgp", "tcp", c.p(&["cloudflare", "fastly", "aws"])],
        alert: "RegionalReachabilityDrop".into(),
        vendor: c.p(&["Our transit provider", "Our CDN provider"]).into(),
        detections: vec![
            "synthetic-monitoring",
            "synthetic-monitoring",
            "customer-report",
            "vendor-notification",
            "social-media",
        ],
        cats: vec!["partial-outage", "increased-latency", "increased-errors"],
        factors: vec![
            "vendor-opacity",
            "single-point-of-failure",
            "missing-runbook",
        ],
        humans: vec!["knowledge-gap", "communication-breakdown"],
        ..Default::default()
    };
    if c.nm {
        sc.title = format!("Route leak by AS{asn} filtered before it reached us");
        sc.summary = format!("A network operator leaked {prefixes} prefixes, including ours. Our transit provider's RPKI filtering dropped the bad routes; we saw a few minutes of slightly higher latency from one region.");
        sc.symptom = "latency from one region rose by around 40 ms".into();
        sc.effect = "No measurable user impact; latency from one region was slightly higher for a few minutes".into();
        sc.detections = vec!["vendor-notification", "engineer-noticed"];
        sc.happened = format!("AS{asn} leaked {prefixes} prefixes it had learned from a customer to its upstreams, including two of ours. Our transit provider rejected the routes because of our ROAs, so the leak never propagated far.");
        sc.why = "We had published ROAs for our prefixes a year earlier after reading about similar leaks elsewhere. Without them the leak would likely have pulled traffic for several regions through a small network.".into();
        sc.fix = format!("Nothing needed fixing on our side. {} checked that all our prefixes have ROAs and that our max-length settings are tight.", cap(&oc));
        sc.start_event = format!("AS{asn} starts leaking routes");
        sc.events = vec![
            "Looking glasses confirm the leaked routes are filtered".into(),
            "Confirmed none of our traffic takes the leaked path".into(),
        ];
        sc.mitigate_event = "Leak withdrawn by the origin network".into();
        sc.resolve_event = "ROA coverage re-checked".into();
        sc.root_causes = vec![format!(
            "AS{asn} leaked routes due to a missing export filter."
        )];
        sc.lessons = vec!["RPKI ROAs are cheap and they worked.".into()];
        sc.actions = vec!["Monitor our prefixes with an external BGP monitoring service.".into()];
        sc.mitigations = vec!["wait-it-out"];
        sc.cats = vec![];
        return sc;
    }
    sc.title = c.ps(vec![
        format!("BGP route leak by AS{asn} blackholed traffic from several regions"),
        "Third-party route leak sent our users' traffic through a congested network".into(),
        format!("{loss}% packet loss for some regions during an upstream BGP route leak"),
    ]);
    sc.summary = format!("An unrelated network, AS{asn}, leaked {prefixes} prefixes including ours, and a large share of traffic to {svc} from several regions went through it. Users there saw {loss}% packet loss until the leak was withdrawn and our provider filtered it.");
    sc.symptom =
        format!("synthetic checks from several regions showed {loss}% packet loss to {svc}");
    sc.effect = "Users in several regions saw timeouts and very slow responses".into();
    sc.happened = format!("Users in some regions started timing out while our servers looked healthy and idle. Traceroutes from affected regions went through AS{asn}, a network we have no relationship with, where packets were dropped. Public BGP looking glasses showed more-specific announcements of our prefixes via that AS.");
    sc.why = format!("AS{asn} leaked {prefixes} prefixes learned from a customer to its upstreams, who accepted them. Because they were more specific than our own announcements, many networks preferred them. We had not published RPKI ROAs for these prefixes, so route-origin validation could not reject the leak.");
    sc.fix = format!("{} opened tickets with our transit providers and {e2} announced more-specific /24s of our own to win back traffic. The leaking network withdrew the routes about {} after the start. Afterwards we published ROAs for all our prefixes.", cap(&oc), dur(c.ttm));
    sc.start_event = format!("AS{asn} begins announcing leaked routes");
    sc.events = vec![
        format!("Traceroutes show traffic via AS{asn}"),
        "Transit providers contacted".into(),
        "More-specific prefixes announced from our edge".into(),
    ];
    sc.mitigate_event = "Leak withdrawn; traffic paths back to normal".into();
    sc.resolve_event = "Temporary more-specific announcements removed".into();
    sc.root_causes = vec![
        format!("AS{asn} leaked routes because of a missing export filter."),
        "Our prefixes had no RPKI ROAs, so validating networks could not reject the leak.".into(),
    ];
    sc.whys = vec![
        "Why did users time out? Because their packets went through a network that dropped them.".into(),
        format!("Why did they go through AS{asn}? Because it announced more specific routes for our prefixes."),
        "Why did other networks accept them? Because without ROAs there was nothing to validate against.".into(),
    ];
    sc.lessons = vec![
        "Internet routing problems look like a server problem until you look at the path.".into(),
        "Publishing ROAs is a small task we had postponed for two years.".into(),
    ];
    sc.actions = vec![
        "Publish RPKI ROAs for all our prefixes.".into(),
        "Subscribe to BGP hijack and leak alerts for our ASN.".into(),
        "Write a runbook for announcing more-specifics during a leak.".into(),
    ];
    sc.mitigations = vec!["vendor-escalation", "traffic-shift", "wait-it-out"];
    sc
}

fn clock_skew_tokens(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let skew = c.n(45, 600);
    let nodes = c.n(3, 40);
    let idp = c.p(&["keycloak", "okta", "oauth"]);
    let idp_name = match idp {
        "keycloak" => "Keycloak",
        "okta" => "Okta",
        _ => "our OAuth server",
    };
    let why_ntp = c.p(&[
        "a firewall change blocked UDP 123 from the new subnet",
        "the golden image shipped with chronyd disabled after a hardening script",
        "the nodes pointed at an internal NTP server that had been decommissioned",
    ]);
    Sc {
        trigger: "clock-skew",
        techs: vec!["ntp", "linux", idp, "oauth"],
        alert: "AuthTokenRejectRateHigh".into(),
        detections: vec!["automated-alert", "customer-report", "internal-user-report"],
        cats: vec!["increased-errors", "partial-outage"],
        factors: vec!["clock-dependence", "missing-monitoring", "config-drift", "staging-parity-gap"],
        humans: vec!["confirmation-bias", "knowledge-gap"],
        title: c.ps(vec![
            format!("{skew}-second clock drift made tokens look expired on {nodes} nodes"),
            "Clock skew on new nodes rejected valid access tokens".into(),
            "Intermittent 401s traced to nodes without working NTP".into(),
        ]),
        summary: format!("Nodes added in a scale-out had no working time sync and drifted {skew} seconds behind. {} running there rejected valid tokens from {idp_name} as not yet valid, so a random share of logged-in users got 401s.", cap(&svc)),
        symptom: format!("about {}% of authenticated requests to {svc} were answered with 401", c.pct.max(3)),
        effect: "Logged-in users were randomly logged out or saw \"session expired\" errors".into(),
        happened: format!("Roughly one in {} authenticated requests failed with `401 invalid_token: token used before issued (nbf)`. Retrying usually worked, because the next request went to another node. The failures only came from {nodes} nodes added the week before. `chronyc tracking` on one of them showed the system clock {skew} seconds behind.", (100 / c.pct.max(5)).max(2)),
        why: format!("Time sync on the new nodes never worked: {why_ntp}. JWT validation checks `nbf` and `iat` with a leeway of 30 seconds, so once the drift passed that, freshly issued tokens from {idp_name} looked like they came from the future. Nothing alerted on clock offset because our node exporter only scraped the old node pool."),
        fix: format!("{} drained the skewed nodes and {e2} fixed the time source; after `chronyc makestep` and a check that offset was under 10 ms, the nodes went back into the pool. We also raised the JWT leeway to 60 seconds.", cap(&oc)),
        start_event: "Clock offset on new nodes passes token leeway".into(),
        events: vec![
            "Failures correlated with the new node pool".into(),
            format!("chronyc shows {skew}s offset on affected nodes"),
            "Skewed nodes cordoned and drained".into(),
        ],
        mitigate_event: "Traffic served only by nodes with correct time".into(),
        resolve_event: "Time sync fixed and nodes returned to the pool".into(),
        root_causes: vec![
            format!("Time sync was broken on new nodes because {why_ntp}."),
            "Token validation depends on clocks agreeing within 30 seconds.".into(),
            "Clock offset was not monitored on the new node pool.".into(),
        ],
        whys: vec![
            "Why did users get 401s? Because tokens were rejected as not yet valid.".into(),
            format!("Why? Because the validating nodes' clocks were {skew} seconds behind."),
            format!("Why were they behind? Because {why_ntp}."),
            "Why did we not notice? Because the clock offset alert did not cover the new pool.".into(),
        ],
        lessons: vec![
            "Anything that validates tokens depends on the clock; treat time sync as a production dependency.".into(),
            "Errors that disappear on retry often point at one bad node.".into(),
        ],
        actions: vec![
            "Alert on NTP offset above 100 ms on every node.".into(),
            "Fail node bootstrap if chrony is not synchronised.".into(),
            "Raise JWT validation leeway to 60 seconds.".into(),
        ],
        mitigations: vec!["drain-node", "config-change"],
        ..Default::default()
    }
}

fn leap_second_flag(c: &mut Ctx) -> Sc {
    let V { oc, e2, .. } = c.v();
    let db = c.p(&["cassandra", "zookeeper", "etcd"]);
    let db_name = match db {
        "cassandra" => "Cassandra",
        "zookeeper" => "ZooKeeper",
        _ => "etcd",
    };
    let share = c.n(20, 60);
    let mut sc = Sc {
        trigger: "leap-second",
        techs: vec!["ntp", "linux", db, "java"],
        alert: "ClusterNodeFlapping".into(),
        detections: vec!["automated-alert", "engineer-noticed"],
        cats: vec!["degraded-performance", "increased-errors", "partial-outage"],
        factors: vec![
            "clock-dependence",
            "hidden-shared-dependency",
            "vendor-opacity",
            "untested-recovery",
        ],
        humans: vec!["knowledge-gap", "fatigue", "ambiguous-runbook"],
        ..Default::default()
    };
    if db == "etcd" {
        sc.techs[3] = "kubernetes";
    }
    let story = format!("Some public NTP servers in our pool announced a leap second for the end of the month, although none was scheduled. About {share}% of our hosts believed them and inserted a second at midnight UTC; the rest did not.");
    if c.nm {
        sc.title = "Spurious leap second announcement stepped clocks on part of the fleet".into();
        sc.summary = format!("{story} Nothing broke, but clocks disagreed by a second for several minutes, which we only noticed afterwards.");
        sc.symptom = "hosts disagreed on the time by one second".into();
        sc.effect = "No user impact found".into();
        sc.detections = vec!["engineer-noticed", "audit-or-review"];
        sc.happened = format!("{story} {} noticed the kernel message `Clock: inserting leap second 23:59:60 UTC` in logs the next morning.", cap(&oc));
        sc.why = "Our hosts used a mix of public NTP pool servers directly. Some of those servers had a bad leap indicator. Hosts that polled them at the wrong time inserted the second.".into();
        sc.fix = format!("{} moved all hosts to our own smeared time servers, which ignore upstream leap flags outside the published schedule.", cap(&e2));
        sc.start_event = "Leap second inserted on part of the fleet".into();
        sc.events = vec!["Kernel leap second messages found in logs".into()];
        sc.mitigate_event = "Clocks converged".into();
        sc.resolve_event = "Hosts moved to internal time servers".into();
        sc.root_causes = vec![
            "Public NTP servers sent a bogus leap indicator and our hosts trusted them.".into(),
        ];
        sc.lessons = vec!["Leap seconds are rare enough that we had forgotten they exist.".into()];
        sc.actions = vec!["Use internal time servers with leap smearing everywhere.".into()];
        sc.mitigations = vec!["config-change"];
        sc.cats = vec![];
        return sc;
    }
    sc.title = c.ps(vec![
        format!("Bogus leap second split the fleet's clocks and destabilised {db_name}"),
        format!("Unscheduled leap second from public NTP servers caused {db_name} session churn"),
    ]);
    sc.summary = format!("{story} {db_name} nodes saw time jump backwards relative to their peers, sessions and leases expired, and the cluster churned for {} until clocks converged.", dur(c.ttm));
    sc.symptom = format!("{db_name} nodes were repeatedly marked down and up");
    sc.effect = "Writes were intermittently rejected and some reads timed out".into();
    sc.happened = format!("{story} Right after midnight, {db_name} nodes started flapping. Logs showed leases expiring early and timeouts computed as negative durations in a {} version that mixed wall-clock and monotonic time.", c.p(&["client library", "server", "JVM"]));
    sc.why = format!("The leap indicator came from public pool servers that our hosts used directly. The one-second disagreement between hosts was enough for {db_name}'s session and lease logic to expire members, and the restart storm that followed made things worse. We had no leap smearing because we believed leap seconds were a thing of the past.");
    sc.fix = format!("{} stopped automatic restarts to let the cluster settle, and {e2} stepped clocks on the affected hosts. Once clocks agreed, the cluster was stable within minutes. We now run internal stratum 2 servers with leap smearing and point all hosts at them.", cap(&oc));
    sc.start_event = "Leap second inserted at 23:59:60 UTC on part of the fleet".into();
    sc.events = vec![
        format!("{db_name} members flapping"),
        "Kernel logs show leap second insertion on some hosts".into(),
        "Automatic restarts paused".into(),
    ];
    sc.mitigate_event = "Clocks stepped; cluster membership stable".into();
    sc.resolve_event = "All hosts moved to internal time servers".into();
    sc.root_causes = vec![
        "Public NTP servers announced an unscheduled leap second.".into(),
        format!("{db_name} behaves badly when member clocks disagree by a second."),
        "Hosts used public NTP servers directly instead of our own.".into(),
    ];
    sc.whys = vec![
        format!(
            "Why did {db_name} churn? Because leases expired on members whose clocks had jumped."
        ),
        "Why did clocks jump? Because some hosts inserted a leap second.".into(),
        "Why did they? Because public NTP servers sent a bogus leap indicator.".into(),
        "Why did we trust them? Because we never set up internal time servers.".into(),
    ];
    sc.lessons = vec![
        "Time is an input to distributed systems; control where it comes from.".into(),
        "Automatic restarts can turn a short disturbance into a long one.".into(),
    ];
    sc.actions = vec![
        "Run internal NTP servers with leap smearing.".into(),
        "Alert on clock offset between hosts.".into(),
        "Limit automatic restarts of cluster members to one at a time.".into(),
    ];
    sc.mitigations = vec!["config-change", "restart"];
    sc
}

fn network_partition_consul(c: &mut Ctx) -> Sc {
    let V {
        svc, svc2, oc, e2, ..
    } = c.v();
    let sites = c.p(&[
        "our two data centres",
        "two availability zones",
        "the primary site and the DR site",
    ]);
    let drop = c.n(60, 100);
    let cause = c.p(&[
        "a provider maintenance on one of the two cross-connects, with the other link mis-patched since an earlier move",
        "an MTU change on the inter-site VPN that dropped large packets only",
        "a failed line card in a core switch that dropped most traffic between the sites",
    ]);
    Sc {
        trigger: "network-partition",
        techs: vec!["consul", "tcp", "vpc", c.p(&["nomad", "kubernetes"])],
        alert: "ConsulRaftNoLeader".into(),
        detections: vec!["automated-alert", "automated-alert", "synthetic-monitoring"],
        cats: vec!["partial-outage", "increased-errors", "full-outage"],
        factors: vec!["single-point-of-failure", "hidden-shared-dependency", "tight-coupling", "untested-recovery"],
        humans: vec!["confirmation-bias", "communication-breakdown", "on-call-overload"],
        title: c.ps(vec![
            "Network partition between sites left Consul without a leader".into(),
            format!("Partition between {sites} broke service discovery"),
            "Service discovery outage during an inter-site network partition".into(),
        ]),
        summary: format!("A network partition between {sites} left the Consul cluster without quorum. Services could not register or resolve healthy instances, and {svc} could not find {svc2}."),
        symptom: format!("Consul had no leader and {svc} could not resolve {svc2}"),
        effect: format!("Requests that needed {svc2} failed"),
        happened: format!("Traffic between {sites} dropped by {drop}%. Our Consul servers are split 3 and 2 across the sites, so neither side could keep a Raft leader. Agents kept serving stale catalog data for a while, then health checks expired and instances disappeared from DNS. {} started returning `no healthy upstream` for {svc2}.", cap(&svc)),
        why: format!("The cause was {cause}. A five-server cluster split across two sites cannot survive losing the link between them, which we had accepted on paper but never tested. Stale reads were disabled in our DNS interface, so service lookups failed as soon as the leader was gone."),
        fix: format!("{} enabled `allow_stale` for DNS queries, which restored lookups on both sides within minutes. {} worked with the network team until the link was restored. We are moving to a third site for the fifth Consul server.", cap(&oc), cap(&e2)),
        start_event: "Inter-site link loses most traffic".into(),
        events: vec![
            "Consul raft leader lost".into(),
            "Services start failing lookups".into(),
            "Network team confirms the link problem".into(),
            "allow_stale enabled on DNS interface".into(),
        ],
        mitigate_event: "Service lookups working again from stale catalog".into(),
        resolve_event: "Link restored; Consul leader elected".into(),
        root_causes: vec![
            format!("A network partition caused by {cause}."),
            "Consul servers were placed so that losing one link lost quorum.".into(),
            "DNS lookups required a leader because stale reads were disabled.".into(),
        ],
        whys: vec![
            format!("Why did {svc} fail? Because it could not resolve {svc2}."),
            "Why? Because Consul had no leader and refused DNS lookups.".into(),
            "Why no leader? Because the partition split the servers 3/2 with no side able to talk to a majority.".into(),
            "Why were they placed like that? Because we only have two sites and never tested a partition.".into(),
        ],
        lessons: vec![
            "A quorum system across two sites is only as available as the link between them.".into(),
            "Stale service discovery data is better than none.".into(),
        ],
        actions: vec![
            "Place the fifth Consul server in a third location.".into(),
            "Keep allow_stale enabled with a max_stale of 1 hour.".into(),
            "Run a partition game day every quarter.".into(),
        ],
        mitigations: vec!["config-change", "wait-it-out"],
        ..Default::default()
    }
}

fn split_brain_cluster(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (sys, sys_name, data) = c.pk(vec![
        ("redis-sentinel", "Redis Sentinel", "redis"),
        ("zookeeper", "ZooKeeper", "kafka"),
        ("etcd", "etcd", "kubernetes"),
        ("mysql", "our MySQL failover tooling", "mysql"),
    ]);
    let secs = c.n(20, 300);
    let writes = c.n(200, 40000);
    Sc {
        trigger: "split-brain",
        techs: vec![sys, data, "linux", "tcp"],
        alert: "MultiplePrimariesDetected".into(),
        detections: vec!["automated-alert", "engineer-noticed", "customer-report"],
        cats: vec!["data-loss", "increased-errors", "partial-outage"],
        data_loss: true,
        factors: vec!["untested-recovery", "single-point-of-failure", "inadequate-timeouts", "tight-coupling"],
        humans: vec!["time-pressure", "confirmation-bias", "ambiguous-runbook"],
        title: c.ps(vec![
            format!("Split brain in {sys_name}: two primaries accepted writes for {}", dur(secs / 60 + 1)),
            format!("Two primaries after a network blip; {writes} writes had to be reconciled by hand"),
            format!("{sys_name} split brain during a short network partition"),
        ]),
        summary: format!("A short network partition made {sys_name} promote a new primary while the old one kept accepting writes from clients on its side. For about {secs} seconds there were two primaries, and {writes} writes went to the one that was later demoted."),
        symptom: format!("two nodes reported themselves as primary for {svc}'s data"),
        effect: format!("Some writes made through {svc} were lost or applied twice"),
        happened: format!("A switch reboot isolated the primary from the other nodes for about {secs} seconds. The majority side elected a new primary, as designed. The old primary did not step down: clients in the same rack could still reach it and kept writing. When the network healed, the old primary rejoined as a replica and its {writes} divergent writes were discarded."),
        why: "Fencing relied on the old primary noticing it had lost quorum, and the timeout for that was longer than the election timeout. Clients were not told to stop writing to a primary that could not see the majority. Our failover tests always killed the primary outright, never partitioned it.".to_string(),
        fix: format!("{} stopped writes to the old primary, and {e2} extracted the discarded writes from its log before it was wiped. Over the next hours we replayed {writes} writes, resolving conflicts by hand where the same records had been changed on both sides.", cap(&oc)),
        start_event: "Switch reboot isolates the primary".into(),
        events: vec![
            "New primary elected on the majority side".into(),
            "Network heals; old primary demoted and resyncs".into(),
            "Divergent writes found in the old primary's log".into(),
            "Reconciliation script written and tested on a copy".into(),
        ],
        mitigate_event: "Only one primary accepting writes; lost writes identified".into(),
        resolve_event: "Divergent writes replayed and reconciled".into(),
        root_causes: vec![
            "The old primary did not fence itself before a new one was elected.".into(),
            "Step-down timeout was longer than the election timeout.".into(),
            "Failover tests never covered a partitioned primary.".into(),
        ],
        whys: vec![
            "Why were writes lost? Because they went to a primary that was later demoted and resynced.".into(),
            "Why did it accept writes? Because it did not know it had lost quorum.".into(),
            "Why not? Because its step-down timeout was longer than the election timeout.".into(),
            "Why was that not caught? Because tests killed the primary instead of partitioning it.".into(),
        ],
        lessons: vec![
            "Failover is only safe if the old primary is fenced before the new one takes writes.".into(),
            "Test partitions, not just crashes.".into(),
            "Keep the data a demoted node would discard; it is often needed for reconciliation.".into(),
        ],
        actions: vec![
            "Set the step-down timeout below the election timeout and document why.".into(),
            "Require min-replicas-to-write so an isolated primary refuses writes.".into(),
            "Add partition tests with tc and iptables to the failover suite.".into(),
        ],
        mitigations: vec!["failover", "manual-data-repair"],
        ..Default::default()
    }
}

fn lb_health_check(c: &mut Ctx) -> Sc {
    let V {
        svc, oc, e2, lang, ..
    } = c.v();
    let lb = c.p(&["haproxy", "aws-elb", "nginx", "traefik"]);
    let lb_name = match lb {
        "haproxy" => "HAProxy",
        "aws-elb" => "the ALB",
        "nginx" => "nginx",
        _ => "Traefik",
    };
    let path_old = c.p(&["/health", "/status", "/healthz"]);
    let path_new = c.p(&["/ready", "/livez", "/api/health"]);
    let (change, why) = c.pk(vec![
        (format!("changed the health check path from `{path_old}` to `{path_new}`"), format!("`{path_new}` only existed in the next release of {svc}, so every backend returned 404 and was marked unhealthy")),
        ("tightened the health check timeout to 1 second".to_string(), format!("the check endpoint of {svc} queries the database and takes 1.2 seconds at p50 under load, so every backend failed it")),
        ("switched the health check to HTTPS".to_string(), format!("the backends of {svc} only serve plain HTTP on the health port, so every check failed the handshake")),
    ]);
    let mut sc = Sc {
        trigger: "load-balancer-change",
        techs: vec![lb, c.lang, c.p(&["terraform", "ansible", "helm"])],
        alert: "NoHealthyBackends".into(),
        detections: vec![
            "automated-alert",
            "automated-alert",
            "synthetic-monitoring",
            "customer-report",
        ],
        cats: vec!["full-outage", "partial-outage"],
        factors: vec![
            "poor-change-review",
            "no-canary",
            "insufficient-testing",
            "staging-parity-gap",
            "tight-coupling",
        ],
        humans: vec!["assumption-of-safety", "time-pressure", "distraction"],
        ..Default::default()
    };
    sc.title = c.ps(vec![
        "Health check change marked every backend unhealthy".into(),
        format!(
            "{} load balancer health check misconfiguration took the site down",
            cap(lb_name.trim_start_matches("the "))
        ),
        format!("All backends of {svc} removed by a load balancer health check change"),
    ]);
    sc.summary = format!("We {change} on {lb_name} in front of {svc}. The new check failed on every backend, the load balancer removed them all and returned 503 to every request until we reverted.");
    sc.symptom = format!("{lb_name} reported zero healthy backends for {svc}");
    sc.effect = format!("Every request to {svc} got a 503");
    sc.happened = format!("A routine change {change}. It was applied to all environments in one pipeline run. Within two check intervals {lb_name} had marked every backend as down and started answering `503 Service Unavailable`. The {lang} processes themselves were healthy and serving requests when called directly.");
    sc.why = format!("The change looked trivial and was reviewed as such, but {why}. Staging has a single backend and the load balancer there fails open when all backends are unhealthy, so the problem did not show. Production is configured to fail closed.");
    sc.fix = format!("{} reverted the change and the backends came back into rotation within 30 seconds. {} then added a check in CI that calls the new health check path against a running instance before the load balancer config can change.", cap(&oc), cap(&e2));
    sc.start_event = "Health check change applied".into();
    sc.events = vec![
        "Load balancer marks all backends unhealthy".into(),
        "Backends confirmed healthy when called directly".into(),
        "Recent load balancer change identified".into(),
    ];
    sc.mitigate_event = "Health check change reverted; backends healthy".into();
    sc.resolve_event = "Error rates back to baseline".into();
    sc.root_causes = vec![
        format!("The health check change was incompatible with the backends: {why}."),
        "Staging fails open, production fails closed, so staging could not show the problem."
            .into(),
        "Load balancer changes are applied to all environments at once.".into(),
    ];
    sc.whys = vec![
        "Why did requests get 503? Because the load balancer had no healthy backends.".into(),
        "Why? Because every backend failed the new health check.".into(),
        format!("Why? Because {why}."),
        "Why was it not caught? Because staging behaves differently when all backends fail.".into(),
    ];
    sc.lessons = vec![
        "A health check is part of the contract between the load balancer and the service; change both together.".into(),
        "Fail-open versus fail-closed must be the same in staging and production.".into(),
    ];
    sc.actions = vec![
        "Validate health check changes against a live backend in CI.".into(),
        "Roll out load balancer changes one environment and one pool at a time.".into(),
        "Make staging fail closed like production.".into(),
    ];
    sc.mitigations = vec!["rollback"];
    sc
}

fn lb_idle_timeout(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let lb = c.p(&["aws-elb", "envoy", "haproxy"]);
    let lb_name = match lb {
        "aws-elb" => "an AWS ALB",
        "envoy" => "Envoy",
        _ => "HAProxy",
    };
    let lb_idle = c.p(&["60", "75", "90"]);
    let app_idle = c.p(&["5", "30", "50"]);
    let rate = c.f(0.2, 3.0);
    c.lang = "nodejs";
    Sc {
        trigger: "load-balancer-change",
        techs: vec![lb, "nodejs", "http2", "tcp"],
        alert: "Elevated5xx".into(),
        detections: vec!["customer-report", "automated-alert", "engineer-noticed"],
        cats: vec!["increased-errors"],
        factors: vec!["inadequate-timeouts", "staging-parity-gap", "undocumented-dependency", "insufficient-testing"],
        humans: vec!["confirmation-bias", "normalisation-of-deviance"],
        title: c.ps(vec![
            "Intermittent 502s after moving to a new load balancer: keep-alive timeout mismatch".into(),
            format!("{rate:.1}% of requests failed with 502 because the backend closed idle connections first"),
        ]),
        summary: format!("After we moved {svc} behind {lb_name}, about {rate:.1}% of requests failed with 502. The load balancer kept idle connections for {lb_idle} seconds but the Node.js backends closed them after {app_idle}, so the load balancer sometimes sent a request on a connection that was being closed."),
        symptom: format!("a steady {rate:.1}% of requests to {svc} returned 502"),
        effect: "A small share of requests failed with 502, mostly retried by clients".into(),
        happened: format!("The migration to {lb_name} went smoothly except for a low, steady rate of 502s, which we first accepted as noise. Load balancer logs showed `upstream prematurely closed connection` and backend logs showed nothing at all for those requests. The errors were spread evenly over all backends and were worse at quiet times."),
        why: format!("Node.js' default `server.keepAliveTimeout` is 5 seconds in the version we ran, and our service set it to {app_idle}. {lb_name} reuses idle upstream connections for up to {lb_idle} seconds. When the backend closed an idle connection at the same moment the load balancer sent a new request on it, the request failed. The old load balancer happened to use a shorter idle timeout, so the problem was new."),
        fix: format!("{} set `keepAliveTimeout` to {} seconds and `headersTimeout` slightly higher, so the backend always outlives the load balancer's idle timeout. The 502 rate dropped to zero after the deploy. {} added this to our service template.", cap(&oc), lb_idle.parse::<u32>().unwrap_or(60) + 5, cap(&e2)),
        start_event: format!("{} moved behind the new load balancer", cap(&svc)),
        events: vec![
            "Low 502 rate noticed and initially dismissed".into(),
            "Load balancer logs show upstream closed the connection".into(),
            "Keep-alive timeouts compared; mismatch found".into(),
        ],
        mitigate_event: "Backend keep-alive timeout raised above the load balancer's".into(),
        resolve_event: "502 rate at zero for 24 hours".into(),
        root_causes: vec![
            format!("Backend keep-alive timeout ({app_idle}s) shorter than the load balancer idle timeout ({lb_idle}s)."),
            "The migration plan did not compare timeouts between the old and new load balancer.".into(),
        ],
        whys: vec![
            "Why did requests get 502? Because the load balancer sent them on connections the backend was closing.".into(),
            "Why? Because the backend closes idle connections sooner than the load balancer expects.".into(),
            "Why did this start now? Because the new load balancer keeps idle connections longer than the old one.".into(),
        ],
        lessons: vec![
            "The side that closes idle connections must be the one that opens them, or the other side must wait longer.".into(),
            "A low, steady error rate after a migration is a signal, not noise.".into(),
        ],
        actions: vec![
            "Set backend keep-alive timeouts above load balancer idle timeouts in the service template.".into(),
            "Alert on any sustained 502 rate above 0.1%.".into(),
        ],
        mitigations: vec!["config-change", "hotfix"],
        ..Default::default()
    }
}

fn cloud_zone_outage(c: &mut Ctx) -> Sc {
    let V {
        svc,
        oc,
        e2,
        cloud,
        region,
        ..
    } = c.v();
    let zone = match c.cloud {
        "aws" => format!("{region}{}", c.p(&["a", "b", "c"])),
        "gcp" => format!("{region}-{}", c.p(&["a", "b", "c"])),
        _ => format!("{region} zone {}", c.n(1, 3)),
    };
    let what = c.p(&[
        "a power event",
        "a cooling failure",
        "a networking fault inside the zone",
        "a storage subsystem failure",
    ]);
    let (compute, db) = match c.cloud {
        "aws" => ("ec2", "rds"),
        "gcp" => ("gke", "postgresql"),
        _ => ("kubernetes", "postgresql"),
    };
    Sc {
        trigger: "cloud-provider-outage",
        techs: vec![c.cloud, compute, db, c.p(&["ebs", "terraform", "kubernetes"])],
        alert: "DatabaseUnreachable".into(),
        vendor: format!("{cloud}'s status page"),
        detections: vec!["automated-alert", "automated-alert", "vendor-notification", "synthetic-monitoring"],
        cats: vec!["full-outage", "partial-outage", "increased-errors"],
        factors: vec!["single-point-of-failure", "untested-recovery", "vendor-opacity", "insufficient-capacity-planning"],
        humans: vec!["time-pressure", "ambiguous-runbook", "communication-breakdown"],
        title: c.ps(vec![
            format!("Single-zone database went down with {cloud} zone {zone}"),
            format!("{cloud} zone outage in {zone} took out our primary database"),
            "Availability zone failure exposed a database that was never multi-zone".into(),
        ]),
        summary: format!("{cloud} had {what} in {zone}. Our application ran in three zones, but the primary database for {svc} was single-zone, so the whole service went down until we promoted a replica in another zone."),
        symptom: format!("{svc} could not connect to its database"),
        effect: format!("{} was unavailable", cap(&svc)),
        happened: format!("At the start of the incident, instances in {zone} stopped responding. The application layer lost a third of its capacity and recovered by itself, as designed. The primary database, however, lived only in {zone}. Connections hung and then failed with `could not connect to server: Connection timed out`. The {cloud} status page confirmed {what} about 25 minutes later."),
        why: "The database had been created as single-zone during a cost review two years earlier, with a cross-zone read replica as the recovery plan. The promotion procedure had been written but never run in production. Nobody re-checked the decision when traffic grew.".to_string(),
        fix: format!("After waiting some minutes for the zone to come back, {oc} decided to promote the replica in another zone. {} updated the connection string and restarted the application pods. About {} minutes of writes that had not reached the replica were recovered later from the old primary once the zone returned.", cap(&e2), c.n(1, 4)),
        start_event: format!("{cloud} {zone} starts failing"),
        events: vec![
            "Application capacity in the zone lost; autoscaling compensates".into(),
            format!("{cloud} status page confirms the zone problem"),
            "Decision to promote the cross-zone replica".into(),
            "Replica promoted; connection strings updated".into(),
        ],
        mitigate_event: "Service running on the promoted replica".into(),
        resolve_event: "Zone recovered; missing writes reconciled; new standby in place".to_string(),
        root_causes: vec![
            "The primary database was single-zone.".into(),
            "The replica promotion procedure had never been exercised.".into(),
            format!("{cloud} zone {zone} suffered {what}."),
        ],
        whys: vec![
            format!("Why was {svc} down? Because its database was unreachable."),
            format!("Why? Because it only ran in {zone}."),
            "Why was it single-zone? Because of a cost decision two years ago.".into(),
            "Why did recovery take so long? Because the promotion runbook had never been used.".into(),
        ],
        lessons: vec![
            "Zone failures happen; anything single-zone is a known single point of failure.".into(),
            "An untested recovery procedure is a hope, not a plan.".into(),
            "Decide early when to stop waiting for the provider.".into(),
        ],
        actions: vec![
            "Enable multi-zone high availability for all production databases.".into(),
            "Run a zone evacuation game day twice a year.".into(),
            "Add a 15-minute decision point to the runbook for promoting replicas.".into(),
        ],
        mitigations: vec!["failover", "restart"],
        ..Default::default()
    }
}

fn expired_credentials(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let (what, techs, err) = c.pk(vec![
        (
            "the IAM access key used by the export job",
            ["iam", "aws", "s3"],
            "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records",
        ),
        (
            "the database password issued by Vault",
            ["vault", "postgresql", "kubernetes"],
            "FATAL: password authentication failed for user \"app_rw\"",
        ),
        (
            "the Azure AD client secret for the SSO integration",
            ["azure", "oauth", "okta"],
            "AADSTS7000222: The provided client secret keys are expired",
        ),
        (
            "the service account key for the analytics loader",
            ["gcp", "bigquery", "airflow"],
            "invalid_grant: Invalid JWT Signature",
        ),
        (
            "the LDAP bind password for the sync job",
            ["ldap", "linux", "python"],
            "LDAP: error code 49 - Invalid Credentials",
        ),
    ]);
    let months = c.n(6, 36);
    let mut sc = Sc {
        trigger: "expired-credentials",
        techs: techs.to_vec(),
        alert: "AuthFailuresUpstream".into(),
        detections: vec!["automated-alert", "internal-user-report", "customer-report"],
        cats: vec!["partial-outage", "increased-errors"],
        factors: vec![
            "long-lived-credentials",
            "missing-monitoring",
            "unclear-ownership",
            "manual-process",
            "knowledge-silo",
        ],
        humans: vec!["handoff", "knowledge-gap", "communication-breakdown"],
        root_causes: vec![
            format!(
                "{} expired after {months} months and was not rotated.",
                cap(what)
            ),
            "Credential expiry dates were not tracked anywhere.".into(),
            "The credential was created by hand and its owner had left the team.".into(),
        ],
        whys: vec![
            format!("Why did {svc} fail? Because calls were rejected with `{err}`."),
            format!("Why? Because {what} had expired."),
            "Why was it not rotated? Because nobody knew it had an expiry date.".into(),
            "Why not? Because it was created by hand and never recorded in our secrets inventory."
                .into(),
        ],
        lessons: vec![
            "Every credential has an owner and an expiry date, written down.".into(),
            "Short-lived, automatically issued credentials remove this whole class of incident."
                .into(),
        ],
        actions: vec![
            "Inventory all long-lived credentials with owner and expiry.".into(),
            "Alert 30 days before any tracked credential expires.".into(),
            "Replace static keys with workload identity where possible.".into(),
        ],
        ..Default::default()
    };
    if c.nm {
        sc.title = format!("Found {what} three days before it expired");
        sc.summary = format!("A secrets audit found that {what} would expire in three days. Nothing would have warned us; it was rotated in time.");
        sc.detections = vec!["audit-or-review", "security-scanner"];
        sc.symptom = format!("{what} had three days left");
        sc.effect = "No impact; the credential was rotated before expiry".into();
        sc.happened = format!("During a quarterly secrets review, {oc} listed credentials by age and found {what}, created {months} months ago by an engineer who had since left, expiring in three days.");
        sc.why = "It was created by hand outside our secrets tooling, so it had no owner and no expiry alert.".into();
        sc.fix = format!(
            "{} rotated it and moved it into the secrets manager with an expiry alert.",
            cap(&e2)
        );
        sc.start_event = "Secrets review starts".into();
        sc.events = vec!["Credential owner identified as a former employee".into()];
        sc.mitigate_event = "Credential rotated".into();
        sc.resolve_event = "Credential moved into the secrets manager".into();
        sc.mitigations = vec!["credential-rotation"];
        sc.cats = vec![];
        return sc;
    }
    sc.title = c.ps(vec![
        format!("{} expired and nobody knew it could", cap(what)),
        format!("Expired credential broke {svc}"),
        format!(
            "`{}` after a {months}-month-old credential expired",
            err.split(':').next().unwrap_or(err)
        ),
    ]);
    sc.summary = format!("{} expired, {months} months after someone created it by hand. {} started failing with `{err}` until we issued a new one.", cap(what), cap(&svc));
    sc.symptom = format!("{svc} logged `{err}` on every call");
    sc.effect = format!("Features of {svc} that depend on the credential stopped working");
    sc.happened = format!("{} began failing on every call that needed {what}, logging `{err}`. Nothing had been deployed. It took a while to realise the credential itself had expired because the error message did not say so directly.", cap(&svc));
    sc.why = format!("The credential was created by hand {months} months earlier with a fixed lifetime by an engineer who has since moved teams. It lived in a Kubernetes secret, outside our secrets manager, so it had no owner, no expiry alert and no rotation.");
    sc.fix = format!("{} issued a new credential and {e2} updated the secret and restarted {svc}. We then moved it into the secrets manager with automatic rotation.", cap(&oc));
    sc.start_event = "Credential expires".into();
    sc.events = vec![
        "Recent deploys ruled out".into(),
        "Credential expiry identified".into(),
        "New credential issued".into(),
    ];
    sc.mitigate_event = "Secret updated; service restarted".into();
    sc.resolve_event = "Credential moved under automatic rotation".into();
    sc.mitigations = vec!["credential-rotation", "restart"];
    sc
}

fn security_leaked_key(c: &mut Ctx) -> Sc {
    let V { oc, e2, region, .. } = c.v();
    let hours = c.n(2, 40);
    let inst = c.n(20, 400);
    let cost = c.n(3, 90) * 1000;
    let ci = c.p(&["github-actions", "gitlab-ci", "jenkins"]);
    let where_ = c.p(&[
        "a public repository during a demo",
        "a public gist pasted to debug a pipeline",
        "the build log of a public CI job",
    ]);
    let mut sc = Sc {
        trigger: "security-incident",
        techs: vec!["aws", "iam", "ec2", ci],
        vendor: "AWS".into(),
        detections: vec!["vendor-notification", "security-scanner", "automated-alert"],
        cats: vec!["security"],
        plain_impact: true,
        factors: vec!["long-lived-credentials", "insufficient-access-controls", "missing-monitoring"],
        humans: vec!["time-pressure", "assumption-of-safety", "distraction"],
        alert: "BillingAnomaly".into(),
        root_causes: vec![
            format!("A long-lived IAM access key was published in {where_}."),
            "The key belonged to a CI user with broad EC2 permissions.".into(),
            "No service control policy limited regions or instance types.".into(),
        ],
        whys: vec![
            "Why did attackers get access? Because an access key was public.".into(),
            format!("Why was it public? Because it was committed to {where_}."),
            "Why was there a static key to leak? Because CI used an IAM user instead of short-lived OIDC credentials.".into(),
            "Why could it launch instances anywhere? Because the CI user had broad EC2 permissions in all regions.".into(),
        ],
        lessons: vec![
            "Static cloud keys in CI are a liability; use OIDC federation.".into(),
            "Scanners that bots run find leaked keys within minutes; ours must be at least as fast.".into(),
            "Restrict unused regions at the organisation level.".into(),
        ],
        actions: vec![
            format!("Move {ci} to OIDC-based short-lived credentials."),
            "Enable secret scanning with push protection on all repositories.".into(),
            "Deny unused regions with a service control policy.".into(),
            "Alert on EC2 launches in unusual regions.".into(),
        ],
        ..Default::default()
    };
    if c.nm {
        sc.title = "Leaked CI access key revoked before anyone used it".into();
        sc.summary = format!("An IAM access key used by {ci} was pushed to {where_}. The secret scanner flagged it within minutes and we revoked it; CloudTrail showed no use of the key from outside.");
        sc.detections = vec!["security-scanner", "vendor-notification"];
        sc.symptom = "a valid AWS access key was visible publicly".into();
        sc.effect = "No impact; CloudTrail showed no unauthorised use".into();
        sc.happened = format!("An engineer pushed a debugging change to {where_} that contained an AWS access key for the {ci} deploy user. The secret scanner raised an alert shortly after.");
        sc.why = "CI still used a static IAM user key from before we adopted OIDC, and it had been copied into a local script.".into();
        sc.fix = format!("{} deactivated the key, {e2} checked CloudTrail for any use from unknown IPs (none), and we rotated the CI credentials.", cap(&oc));
        sc.start_event = "Key pushed publicly".into();
        sc.events = vec!["Key deactivated".into(), "CloudTrail reviewed".into()];
        sc.mitigate_event = "Key revoked".into();
        sc.resolve_event = "CI moved to short-lived credentials".into();
        sc.mitigations = vec!["credential-rotation"];
        return sc;
    }
    sc.title = c.ps(vec![
        "Leaked CI access key used to mine cryptocurrency on our account".into(),
        format!("{inst} unauthorised EC2 instances launched with a leaked IAM key"),
        "Access key in a public repository led to a cryptomining incident".into(),
    ]);
    sc.summary = format!("An IAM access key for our {ci} deploy user was published in {where_}. Within {hours} hours someone used it to launch {inst} GPU instances for cryptocurrency mining in regions we do not use, costing about ${cost} before we revoked it.");
    sc.symptom = format!("{inst} instances were running in regions we do not use");
    sc.effect =
        format!("No customer data was accessed; the unauthorised instances cost about ${cost}");
    sc.happened = format!("A key for the {ci} deploy user ended up in {where_}. CloudTrail shows the first `RunInstances` call from an unknown IP {hours} hours later, launching {inst} GPU instances spread over several regions other than {region}. Our billing anomaly alert and an AWS abuse notice arrived around the same time.");
    sc.why = "CI used a static IAM user key instead of short-lived OIDC credentials. The user had `ec2:*` in all regions because it was created when we were small. Nothing blocked unused regions.".into();
    sc.fix = format!("{} deactivated the key and {e2} terminated the instances region by region. We reviewed CloudTrail for every call made with the key: it launched instances and created key pairs, but did not read S3 or touch other IAM users. AWS credited part of the cost after we filed a case.", cap(&oc));
    sc.start_event = "Access key published".into();
    sc.events = vec![
        "Unknown IP launches instances with the key".into(),
        "Key deactivated".into(),
        "Instances terminated in all regions".into(),
        "CloudTrail review finds no data access".into(),
    ];
    sc.mitigate_event = "Key revoked and instances terminated".into();
    sc.resolve_event = "CloudTrail review complete; CI moved to OIDC".into();
    sc.mitigations = vec!["credential-rotation", "block-traffic"];
    sc
}

fn security_credential_stuffing(c: &mut Ctx) -> Sc {
    let V { svc, oc, e2, .. } = c.v();
    let rps = c.n(2, 40) * 100;
    let accounts = c.n(30, 2000);
    let edge = c.p(&["cloudflare", "fastly", "aws-elb"]);
    Sc {
        trigger: "security-incident",
        techs: vec![edge, "oauth", "redis", c.lang],
        alert: "LoginFailureRateHigh".into(),
        detections: vec!["automated-alert", "customer-report", "security-scanner"],
        cats: vec!["security", "degraded-performance", "increased-latency"],
        plain_impact: true,
        factors: vec!["missing-rate-limiting", "missing-monitoring", "insufficient-access-controls"],
        humans: vec!["on-call-overload", "knowledge-gap", "time-pressure"],
        title: c.ps(vec![
            format!("Credential stuffing attack compromised {accounts} accounts"),
            format!("Login endpoint hit with {rps} attempts per second from a botnet"),
        ]),
        summary: format!("A credential stuffing attack sent up to {rps} login attempts per second to {svc} using passwords leaked from other sites. {accounts} accounts were logged into before we blocked the traffic and forced password resets."),
        symptom: format!("failed logins on {svc} rose to {rps} per second"),
        effect: format!("{accounts} accounts were accessed by an attacker; legitimate logins were slow"),
        happened: format!("Login attempts jumped from a few per second to {rps} per second, from tens of thousands of residential IPs. Almost all failed, but password hashing pegged the CPUs of {svc}, so real users waited several seconds to log in. The attempts that succeeded used e-mail and password pairs from public breach lists."),
        why: "The login endpoint had no rate limit per account or per IP range, and no bot detection at the edge. Multi-factor authentication was optional and used by few customers.".to_string(),
        fix: format!("{} enabled a managed challenge at the edge for the login path, which cut the attempts by 98%. {} added per-account rate limiting backed by Redis. We forced password resets on the {accounts} accounts that had successful logins from attack IPs and notified the customers.", cap(&oc), cap(&e2)),
        start_event: "Login attempts begin to climb".into(),
        events: vec![
            "Attack pattern recognised from user agents and IP spread".into(),
            "Edge challenge enabled for /login".into(),
            "Compromised accounts identified".into(),
        ],
        mitigate_event: "Attack traffic blocked at the edge".into(),
        resolve_event: "Password resets forced; customers notified".into(),
        root_causes: vec![
            "The login endpoint had no rate limiting or bot protection.".into(),
            "Users reused passwords exposed in other breaches.".into(),
            "MFA was optional.".into(),
        ],
        whys: vec![
            "Why were accounts compromised? Because attackers guessed valid credentials at scale.".into(),
            "Why could they try so many? Because nothing limited login attempts.".into(),
            "Why was there no limit? Because login was built before the product was public and never revisited.".into(),
        ],
        lessons: vec![
            "Any public login endpoint will be attacked; rate limiting is not optional.".into(),
            "Check passwords against breach lists at signup and login.".into(),
        ],
        actions: vec![
            "Per-account and per-network rate limits on login.".into(),
            "Check new passwords against known-breached passwords.".into(),
            "Offer and encourage MFA; require it for admin accounts.".into(),
        ],
        mitigations: vec!["block-traffic", "rate-limiting", "credential-rotation"],
        ..Default::default()
    }
}
