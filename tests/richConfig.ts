// A valid stack config that sets nearly every string key of the contract, for tests that put
// hostile values into each of them (tests/hostile.spec.ts).
export const RICH_VALUES = {
    environment: "dev",
    cluster: {
        kubernetesVersion: "1.35",
        upgradePolicy: "STANDARD",
        nodeGroups: [
            {
                name: "nodes",
                instanceTypes: ["t3.large"],
                labels: { workload: "web" },
                taints: [{ key: "dedicated", value: "web", effect: "NO_SCHEDULE" }],
            },
            { name: "system", instanceTypes: ["t3.large"] },
        ],
        vpcCidr: "10.10.0.0/16",
        publicAccessCidrs: ["198.18.0.0/16"],
        natGateways: "single",
        logTypes: ["api"],
        adminPrincipalArns: ["arn:aws:iam::111122223333:role/admins"],
        viewerPrincipalArns: ["arn:aws:iam::111122223333:role/viewers"],
    },
    istio: {
        version: "1.30.5",
        extraGatewayPorts: [{ environment: "qa", port: 7000 }],
        outboundTrafficPolicy: "ALLOW_ANY",
    },
    albController: { version: "3.5.0" },
    ingress: {
        port: 8000,
        hosts: ["shop.example.com", "*.example.com"],
        scheme: "internet-facing",
        targetType: "instance",
        certificateArn: "arn:aws:acm:ap-northeast-1:111122223333:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        loadBalancerName: "shop-dev",
    },
    apps: [
        {
            name: "shop",
            namespace: "shop",
            hosts: ["shop.example.com"],
            http: [
                {
                    name: "canary",
                    match: [
                        {
                            name: "m",
                            uri: { prefix: "/a" },
                            scheme: { exact: "https" },
                            method: { exact: "GET" },
                            authority: { regex: "shop.*" },
                            headers: { "x-canary": { exact: "true" } },
                            sourceLabels: { app: "web" },
                            gateways: ["istio-system/dev-gateway"],
                            queryParams: { q: { exact: "1" } },
                            withoutHeaders: { "x-debug": { prefix: "1" } },
                            sourceNamespace: "web",
                            statPrefix: "canary",
                        },
                    ],
                    route: [
                        {
                            destination: { host: "frontend", subset: "v2" },
                            headers: {
                                request: { set: { "x-a": "1" }, add: { "x-b": "2" }, remove: ["x-c"] },
                                response: { set: { "x-d": "4" } },
                            },
                        },
                    ],
                    timeout: "10s",
                    retries: { attempts: 2, perTryTimeout: "2s", retryOn: "5xx", backoff: "25ms" },
                    fault: {
                        delay: { fixedDelay: "1s", percentage: { value: 1 } },
                        abort: { grpcStatus: "UNAVAILABLE", percentage: { value: 1 } },
                    },
                    mirror: { host: "mirror", subset: "v1" },
                    corsPolicy: {
                        allowOrigins: [{ exact: "https://a.example.com" }],
                        allowMethods: ["GET"],
                        allowHeaders: ["x-a"],
                        exposeHeaders: ["x-b"],
                        maxAge: "1h",
                        unmatchedPreflights: "FORWARD",
                    },
                    headers: { request: { set: { "x-e": "5" } } },
                },
                {
                    name: "redirect",
                    match: [{ uri: { exact: "/old" } }],
                    redirect: { uri: "/new", authority: "shop.example.com", scheme: "https" },
                },
                {
                    name: "rewrite",
                    match: [{ uri: { prefix: "/r" } }],
                    rewrite: { uri: "/", authority: "r.shop" },
                    route: [{ destination: { host: "frontend" } }],
                },
                {
                    name: "regex",
                    match: [{ uri: { prefix: "/x" } }],
                    rewrite: { uriRegexRewrite: { match: "^/x(.*)", rewrite: "/\\1" } },
                    route: [{ destination: { host: "frontend" } }],
                },
                {
                    name: "direct",
                    match: [{ uri: { exact: "/ping" } }],
                    directResponse: { status: 200, body: { string: "pong" } },
                },
                {
                    name: "abort",
                    match: [{ uri: { exact: "/h2" } }],
                    fault: { abort: { grpcStatus: "UNAVAILABLE", percentage: { value: 1 } } },
                    route: [{ destination: { host: "frontend" } }],
                },
                {
                    name: "mirrors",
                    match: [{ uri: { exact: "/m" } }],
                    mirrors: [{ destination: { host: "mirror" } }],
                    route: [{ destination: { host: "frontend" } }],
                },
                {
                    name: "bytes",
                    match: [{ uri: { exact: "/b" } }],
                    directResponse: { status: 200, body: { bytes: "cG9uZw==" } },
                },
                { name: "all", route: [{ destination: { host: "frontend", subset: "v1" } }] },
            ],
            destinationRules: [
                {
                    host: "frontend",
                    subsets: [
                        { name: "v1", labels: { version: "v1" } },
                        {
                            name: "v2",
                            labels: { version: "v2" },
                            trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } },
                        },
                    ],
                    trafficPolicy: {
                        loadBalancer: { consistentHash: { httpHeaderName: "x-user" } },
                        connectionPool: {
                            tcp: { connectTimeout: "1s", idleTimeout: "1h" },
                            http: { idleTimeout: "1h", h2UpgradePolicy: "DEFAULT" },
                        },
                        outlierDetection: { interval: "10s", baseEjectionTime: "30s" },
                        tls: { mode: "ISTIO_MUTUAL", sni: "frontend.shop", subjectAltNames: ["spiffe://a"] },
                        tunnel: { protocol: "CONNECT", targetHost: "proxy", targetPort: 8080 },
                    },
                    exportTo: [".", "istio-system"],
                },
                {
                    host: "mirror",
                    subsets: [{ name: "v1", labels: { version: "v1" } }],
                    trafficPolicy: {
                        loadBalancer: {
                            consistentHash: { httpCookie: { name: "c", path: "/", ttl: "1h" } },
                            localityLbSetting: { failover: [{ from: "us-east-1", to: "us-west-2" }] },
                            warmupDurationSecs: "10s",
                        },
                        tls: {
                            mode: "SIMPLE",
                            caCertificates: "/ca",
                            clientCertificate: "/c",
                            privateKey: "/k",
                            caCrl: "/crl",
                        },
                    },
                    workloadSelector: { matchLabels: { app: "mirror" } },
                },
            ],
            authorization: [
                {
                    from: [
                        {
                            source: {
                                principals: ["cluster.local/ns/a/sa/b"],
                                requestPrincipals: ["iss/sub"],
                                notNamespaces: ["x"],
                                ipBlocks: ["10.0.0.0/8"],
                                remoteIpBlocks: ["1.2.3.4"],
                            },
                        },
                    ],
                    to: [
                        {
                            operation: {
                                hosts: ["shop.example.com"],
                                ports: ["8080"],
                                methods: ["GET"],
                                paths: ["/a"],
                                notPaths: ["/b"],
                            },
                        },
                    ],
                    when: [{ key: "request.headers[x-a]", values: ["1"], notValues: ["2"] }],
                },
            ],
            serviceEntries: [
                {
                    hosts: ["api.example.com"],
                    addresses: ["10.1.2.3"],
                    ports: [{ number: 443, name: "https", protocol: "TLS", targetPort: 8443 }],
                    location: "MESH_EXTERNAL",
                    resolution: "STATIC",
                    endpoints: [
                        {
                            address: "10.1.2.3",
                            ports: { https: 8443 },
                            labels: { app: "ext" },
                            network: "n1",
                            locality: "us-east-1/a",
                            serviceAccount: "sa",
                        },
                    ],
                    exportTo: ["."],
                    subjectAltNames: ["spiffe://ext"],
                },
                {
                    hosts: ["db.example.com"],
                    ports: [{ number: 5432, name: "tcp-db", protocol: "TCP" }],
                    resolution: "DNS",
                    workloadSelector: { labels: { app: "db" } },
                },
            ],
        },
    ],
    observability: {
        namespace: "observability",
        prometheus: {
            retention: "2d",
            storage: { size: "50Gi", storageClass: "gp3" },
            resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } },
        },
        kiali: {
            expose: {
                path: "/kiali",
                hosts: ["shop.example.com"],
                allowedIpBlocks: ["198.18.0.0/16"],
                allowedSourceNamespaces: ["ops"],
            },
        },
        grafana: { resources: { limits: { cpu: "1", memory: "1Gi" } } },
        tracing: { sampling: 1 },
    },
};
