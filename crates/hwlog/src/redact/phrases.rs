//! The phrase rules, tool by tool: a pattern that ends where the secret begins, the
//! way its value is taken, and the needles that gate it.

use super::kind::Kind;

/// The phrase rules, tool by tool; [`super::tokens::TOKENS`] adds the token shapes.
pub(super) const PHRASES: &[(&str, Kind)] = &[
    // ipmitool user set password <id> <pw>
    (
        r"(?i-u:\buser)[ \t]+(?i:set)[ \t]+(?i:password)[ \t]+[0-9]+[ \t]+",
        Kind::Value,
    ),
    // racadm set iDRAC.Users.2.Password <pw>; nmcli con modify X wifi-sec.psk <pw>;
    // aws configure set aws_secret_access_key <v>; npm config set //r/:_authToken <v>
    (
        r#"(?i-u:\b)(?:configure[ \t]+set|config[ \t]+set|config|set|modify[ \t]+\S+|mod[ \t]+\S+)[ \t]+(?:--?[a-z][a-z0-9-]*[ \t]+)*"#,
        Kind::Setting,
    ),
    // iscsiadm ... -n node.session.auth.password -v <pw>
    (r"(?i)pass(?:word|wd)(?:_in)?[ \t]+-v[ \t]+", Kind::Value),
    // racadm config -g cfgUserAdmin -o cfgUserAdminPassword [-i 2] <pw>
    (
        r"(?i)(?:^|[ \t])-o[ \t]+cfg[a-z]*pass(?:word|wd)[ \t]+(?:-i[ \t]+[0-9]+[ \t]+)?",
        Kind::Value,
    ),
    // SQL: CREATE USER ... IDENTIFIED [WITH plugin] BY 'pw'
    (
        r"(?i)(?-u:\b)identified[ \t]+(?:with[ \t]+[a-z_]+[ \t]+)?by[ \t]+(?:password[ \t]+)?",
        Kind::Value,
    ),
    // maas login <profile> <url> <api-key>
    (
        r"(?i-u:\bmaas)[ \t]+(?i:login)[ \t]+\S+[ \t]+\S+[ \t]+",
        Kind::Value,
    ),
    // SQL `PASSWORD 'pw'`, `PASSWORD('pw')`, `SET PASSWORD [FOR u] = 'pw'` (quoted only)
    (
        r#"(?i-u:\b(?:password|passwd|passphrase|community|psk))(?:[ \t]+|[ \t]*\([ \t]*)['"]"#,
        Kind::Tail(1),
    ),
    (
        r#"(?i-u:\bset)[ \t]+(?i:password)[ \t]+(?:(?i:for)[ \t]+\S+[ \t]*)?=[ \t]*['"]"#,
        Kind::Tail(1),
    ),
    // Network devices (Cisco IOS/NX-OS, Arista EOS, Junos): keyword, optional
    // encryption type (0, 5, 7, 8, 9, sha512), value.
    (
        r"(?i-u:\b)(?:secret|password|key|key-string|authentication-key|server-key|pre-shared-key|ascii)[ \t]+(?:[0-9]|sha512|sha256)[ \t]+",
        Kind::Value,
    ),
    (
        r"(?i-u:\benable)[ \t]+(?:secret|password)[ \t]+(?:level[ \t]+[0-9]+[ \t]+)?",
        Kind::Shaped,
    ),
    (
        r"(?i-u:\busername)[ \t]+\S+(?:[ \t]+(?:privilege[ \t]+[0-9]+|role[ \t]+\S+|view[ \t]+\S+|algorithm-type[ \t]+\S+))*[ \t]+(?:secret|password)[ \t]+(?:(?:[0-9]|sha512|sha256)[ \t]+)?",
        Kind::Value,
    ),
    (
        r"(?i-u:\baaa)[ \t]+root[ \t]+secret[ \t]+(?:(?:[0-9]|sha512)[ \t]+)?",
        Kind::Value,
    ),
    (
        r"(?i-u:\b)(?:snmp-server|snmp)[ \t]+community[ \t]+",
        Kind::Value,
    ),
    (
        r"(?i-u:\b)(?:tacacs-server|radius-server|tacplus-server|(?:tacacs|radius)[ \t]+server|pre-shared-key|isakmp)[ \t][^\n]*?(?-u:\b)(?:key|secret)[ \t]+(?:[0-9][ \t]+)?",
        Kind::Value,
    ),
    (
        r"(?i-u:\b)(?:message-digest-key|authentication-key)[ \t]+[0-9]+[ \t]+md5[ \t]+(?:[0-9][ \t]+)?",
        Kind::Value,
    ),
    (
        r"(?i-u:\b)(?:authentication-key|key-string|encrypted-password|simple-password|ascii-text|authentication-password|privacy-password|wpa-psk[ \t]+ascii|pre-shared-key[ \t]+(?:local|remote))[ \t]+(?:[0-9][ \t]+)?",
        Kind::Value,
    ),
    (
        r"(?i-u:\b)(?:chap|pap)[ \t]+(?:password|secret)[ \t]+(?:[0-9][ \t]+)?",
        Kind::Value,
    ),
    (
        r"(?i-u:\bneighbor)[ \t]+\S+[ \t]+password[ \t]+(?:[0-9][ \t]+)?",
        Kind::Value,
    ),
    // SNMPv3 users: `auth sha X priv aes 128 Y`, net-snmp `createUser u SHA "x" AES "y"`.
    (r"(?i-u:\bauth)[ \t]+(?:md5|sha[0-9-]*)[ \t]+", Kind::Value),
    (
        r"(?i-u:\bpriv)[ \t]+(?:des|3des|aes)(?:[ \t]+(?:128|192|256))?[ \t]+",
        Kind::Value,
    ),
    (
        r"(?i-u:\bcreateUser)[ \t]+(?:-e[ \t]+\S+[ \t]+)?\S+[ \t]+(?:MD5|SHA[0-9-]*)[ \t]+",
        Kind::Value,
    ),
    (
        r"(?i-u:\bcreateUser)[ \t][^\n]*?[ \t](?:DES|AES[0-9]*)[ \t]+",
        Kind::Value,
    ),
    // snmpd.conf: rocommunity COMM, com2sec NAME SOURCE COMM
    (r"(?i-u:\br[ow]community6?)[ \t]+", Kind::Value),
    (
        r"(?i-u:\bcom2sec6?)[ \t]+(?:-Cn[ \t]+\S+[ \t]+)?\S+[ \t]+\S+[ \t]+",
        Kind::Value,
    ),
    // Daemon directives: slapd rootpw, nslcd bindpw, redis requirepass/masterauth.
    (
        r"(?i-u:\b)(?:rootpw|bindpw|masterauth|requirepass|auth_pass)(?:[ \t]+--[a-z-]+)*[ \t]+",
        Kind::Value,
    ),
    // .netrc: machine H login U password P
    (r"(?i-u:\blogin)[ \t]+\S+[ \t]+password[ \t]+", Kind::Value),
    // Prose: "password X" only for a secret-shaped X.
    (
        r"(?i-u:\b)(?:password|passwd|passphrase|secret|token)[ \t]+",
        Kind::Shaped,
    ),
    // Windows: ConvertTo-SecureString 'pw', net use \\srv\share PW, net user NAME PW /add,
    // schtasks /rp PW, xfreerdp /p:PW
    (
        r"(?i)(?-u:\b)ConvertTo-SecureString[ \t]+(?:-(?:String|AsPlainText|Force)[ \t]+)*",
        Kind::Value,
    ),
    (
        r"(?i)(?-u:\bnet)(?:\.exe)?[ \t]+use[ \t]+(?:[a-z*]:[ \t]+)?\\\\\S+[ \t]+",
        Kind::Positional(0, &[]),
    ),
    (
        r"(?i)(?-u:\bnet)(?:\.exe)?[ \t]+use[ \t][^\n]*?/user:\S+[ \t]+",
        Kind::Positional(0, &[]),
    ),
    (
        r"(?i)(?-u:\bnet)(?:\.exe)?[ \t]+user[ \t]+\S+[ \t]+",
        Kind::Positional(0, &[]),
    ),
    (
        r"(?i)(?-u:\bschtasks)(?:\.exe)?[ \t][^\n]*?[ \t]/rp[ \t]+",
        Kind::Value,
    ),
    (
        r"(?i)(?-u:\bschtasks)(?:\.exe)?[ \t][^\n]*?[ \t]/p[ \t]+",
        Kind::Value,
    ),
    (r"(?i)/(?:p|pass|password|pwd):", Kind::Value),
    // Positional passwords of BMC and admin tools.
    (
        r"(?i)(?-u:\b)SMCIPMITool(?:\.exe)?[ \t]+",
        Kind::Positional(2, &[]),
    ),
    (
        r"(?i)(?-u:\bipmicfg)(?:[-.][A-Za-z0-9_.]+)?[ \t]+-user[ \t]+(?:add[ \t]+[0-9]+[ \t]+\S+|setpwd[ \t]+[0-9]+)[ \t]+",
        Kind::Value,
    ),
    (
        r"(?i)(?-u:\brabbitmqctl)[ \t]+(?:-\S+[ \t]+)*(?:add_user|change_password|authenticate_user)[ \t]+\S+[ \t]+",
        Kind::Value,
    ),
    (
        r"(?i)(?-u:\bwpa_passphrase)[ \t]+",
        Kind::Positional(1, &[]),
    ),
    (r"(?i)(?-u:\bvault)[ \t]+login[ \t]+", Kind::NotPair),
    (
        r"(?i)(?-u:\bopenssl)[ \t]+passwd[ \t]+",
        Kind::Positional(0, &["-salt", "-in"]),
    ),
    (r"(?-u:\b)htpasswd(?:\.exe)?[ \t]+", Kind::Htpasswd),
    (r"(?-u:\b)(?:echo|printf)[ \t]+", Kind::Echo),
    // Oracle: jdbc:oracle:thin:user/PW@host, sqlplus user/PW@db
    (r#"(?i)jdbc:oracle:[a-z0-9]+:[^/\s@:"']+/"#, Kind::UntilAt),
    (
        r#"(?i)(?-u:\b)(?:sqlplus|sqlldr|expdp|impdp|rman|dgmgrl)(?:[ \t]+-\S+)*[ \t]+[^/\s@'"]+/"#,
        Kind::UntilAt,
    ),
    // Postfix sasl_passwd: [relay]:port user:PW
    (
        r"\[[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\](?::[0-9]+)?[ \t]+[^\s:\[\]]+:",
        Kind::Value,
    ),
    // .pgpass: host:port:db:user:PW
    (
        r"(?:^|[\s:])(?:(?:\*|localhost|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+):(?:\*|[0-9]{3,5})|[A-Za-z][A-Za-z0-9-]*:5432):(?:\*|[A-Za-z0-9_.-]+):(?:\*|[A-Za-z0-9_.@-]+):",
        Kind::Value,
    ),
    // Redis: ACL `user NAME on >pw`, MONITOR `"AUTH" "pw"`, RESP `AUTH` commands.
    (
        r"(?i-u:\buser)[ \t]+\S+[ \t]+(?:on|off|reset)(?-u:\b)",
        Kind::RedisAcl,
    ),
    (r#"(?i)"auth""#, Kind::QuotedArgs),
    (r"(?i)\\r\\n\$4\\r\\nauth\\r\\n", Kind::Resp),
    // Mail and IMAP transcripts: AUTH PLAIN <b64>, a001 LOGIN user PW, PASS PW
    (
        r"(?-u:\bAUTH)[ \t]+(?i:PLAIN|LOGIN|XOAUTH2|OAUTHBEARER|CRAM-MD5)[ \t]+",
        Kind::Value,
    ),
    (
        r"(?-u:\b)[A-Za-z]*[0-9][A-Za-z0-9]*[ \t]+LOGIN[ \t]+",
        Kind::Positional(1, &[]),
    ),
    (r#"(?m)(?:^|[>:"][ \t]*)PASS[ \t]+"#, Kind::Value),
    (
        r#"(?i)(?-u:\b)passwordeval[ \t]+["']?(?:echo|printf)[ \t]+"#,
        Kind::Value,
    ),
    // HTTP Digest: the response hash is the credential.
    (
        r"(?i)(?-u:\bdigest)[ \t]+[^\n]*?(?-u:\b)response[ \t]*=[ \t]*",
        Kind::Value,
    ),
    // Client constructors taking (user, password).
    (
        r"(?:\.login|(?-u:\b)(?:HTTPBasicAuth|HTTPDigestAuth|HTTPProxyAuth|HttpNtlmAuth|BasicAuth|DigestAuth|NTLMAuth|NetworkCredential|PSCredential|UsernamePasswordCredentials|PasswordAuthentication))[ \t]*\([ \t]*",
        Kind::SecondArg,
    ),
    // Positional task arguments (host, user, password): ('10.0.0.5', 'root', 'PW')
    (
        r#"[(\[,][ \t]*\\?['"](?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\\?['"][ \t]*,[ \t]*(?:[0-9]{1,5}[ \t]*,[ \t]*)?\\?['"][A-Za-z0-9_.@\\-]{1,64}\\?['"][ \t]*,[ \t]*"#,
        Kind::Value,
    ),
    // `login(self.host, 'admin', 'PW')`: a quoted user, then the password.
    (
        r#"(?i-u:\b(?:login|log_in|authenticate|auth|bind|connect)) ?\([^()\n]{0,80}?['"][A-Za-z0-9_.@\\-]{1,32}['"][ \t]*,[ \t]*"#,
        Kind::Value,
    ),
    // ('r12-n04', 'admin', 'PW'), ('sw-core-01', 22, 'netops', 'PW'): a host name with a
    // digit, an optional port, an admin user, then the password.
    (
        r#"[(\[,][ \t]*\\?['"][A-Za-z][A-Za-z0-9-]*[0-9][A-Za-z0-9-]*\\?['"][ \t]*,[ \t]*(?:[0-9]{1,5}[ \t]*,[ \t]*)?\\?['"](?:admin|netops|root|administrator|Administrator|ADMIN|USERID|maas|ubuntu|operator|ops|svc_[A-Za-z0-9_]+)\\?['"][ \t]*,[ \t]*"#,
        Kind::Value,
    ),
    // OAuth authorization code in a callback query string.
    (r"[?&#]code=", Kind::Shaped),
    // ipmitool lan set <channel> password|snmp <value> (BMC user password, community)
    (
        r"(?i-u:\blan)[ \t]+set[ \t]+[0-9]+[ \t]+(?:password|snmp)[ \t]+",
        Kind::Value,
    ),
    // cloud-init chpasswd: "Set the following 'random' passwords" then user:password
    (
        r"(?i)random'?[ \t]+passwords?[ \t]*:?[ \t]+[a-z_][a-z0-9_.-]*:",
        Kind::Value,
    ),
    // debconf-set-selections / preseed: <owner> <question> password <value>
    (
        r"(?m)(?:^|[ \t:])[a-z0-9.-]+[ \t]+[a-z0-9._-]+/[a-z0-9._/-]+[ \t]+password[ \t]+",
        Kind::Value,
    ),
    // Telegram bot API: /bot<id>:<token>/method; the token is `<id>:<secret>`, the
    // method stays.
    (r"/bot[0-9]{5,12}:[A-Za-z0-9_-]{30,}", Kind::After(4)),
    // cloud-init: chpasswd: {list: 'root:PW'} / chpasswd:\n  list: |\n    root:PW
    (
        r#"(?i)chpasswd:[ \t]*\{?[ \t]*list:[ \t]*['"|]?[ \t]*[a-z_][a-z0-9_.-]*:"#,
        Kind::Value,
    ),
    // QEMU/libvirt: -object secret,id=x,data=PW
    (r"(?i)-object[ \t]+secret,(?:[^\s,]+,)*?data=", Kind::Value),
    // Redis MONITOR: "CONFIG" "SET" "requirepass" "PW"; "ACL" "SETUSER" u ... ">PW"
    (
        r#"(?i)"config"[ \t]+"set"[ \t]+"(?:requirepass|masterauth|masteruser)"[ \t]*"#,
        Kind::QuotedArgs,
    ),
    (r#"(?i)"acl"[ \t]+"setuser"[ \t]+"[^"\n]*""#, Kind::RedisAcl),
    // `bmc_password is X` (a compound sensitive key in prose)
    (
        r"(?i-u:\b[a-z0-9]+[_.-][a-z0-9_.-]*(?:password|passwd|secret|token|apikey|api_key|authtok))[ \t]+(?:is|was|set[ \t]+to)[ \t]+",
        Kind::Value,
    ),
    // `received agent_token X`: a compound sensitive key, then a generated-looking word
    (
        r"(?i-u:\b[a-z0-9]+[_-](?:password|secret|token|apikey|authtok))[ \t]+",
        Kind::Shaped,
    ),
    // haproxy `stats auth user:PW`
    (r"(?i-u:\bstats[ \t]+auth)[ \t]+[^:\s]+:", Kind::Value),
    // expect scripts: expect "Password:" send "PW"
    (
        r#"(?i)expect[ \t]+"[^"\n]*(?:assword|passphrase|pin)[^"\n]*"[ \t]*;?[ \t]*send[ \t]+"#,
        Kind::Value,
    ),
    // Sentry DSN: https://KEY@o1.ingest.sentry.io/2
    (
        r"(?i)https?://[0-9a-f]{32}(?::[0-9a-f]{32})?@[a-z0-9.-]*sentry",
        Kind::UserinfoPass,
    ),
    // strongSwan ipsec.secrets: `user : EAP "pw"`, `: PSK "x"`
    (r#":[ \t]*(?:EAP|XAUTH|PSK|NTLM)[ \t]+""#, Kind::Tail(1)),
    // sendmail authinfo: AuthInfo:host "U:user" "P:pw"
    (r#"(?i)authinfo:[^\n]*?"P[:=]"#, Kind::Value),
    // nmcli dev wifi connect SSID [ifname X] password PW
    (
        r"(?i-u:\bwifi)[ \t]+connect[ \t]+\S+(?:[ \t]+\S+[ \t]+\S+)*?[ \t]+password[ \t]+",
        Kind::Value,
    ),
    // user:password@host without a scheme (`--bmc USERID:pw@xcc-1`)
    (
        r#"(?:^|[\s="'])[A-Za-z][A-Za-z0-9_.-]{0,31}:[^\s@:/"']{1,128}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"#,
        Kind::UserinfoPass,
    ),
    // Vault: `Unseal Key 1: X`
    (r"(?i-u:\bunseal[ \t]+key)[ \t]+[0-9]+:[ \t]*", Kind::Value),
    // ktpass /pass PW
    (
        r"(?i)(?-u:\bktpass)(?:\.exe)?[ \t][^\n]*?[ \t]/pass[ \t]+",
        Kind::Value,
    ),
    // Device config lines: `password X` alone on a line (or after a prompt).
    (
        r"(?m)(?:^|#)[ \t]*password[ \t]+(?:[0-9][ \t]+)?\S+[ \t]*\r?$",
        Kind::LastWord,
    ),
    // JWK private members: {"kty": …, "d": "…"}
    (r#""(?:d|p|q|dp|dq|qi|k)"[ \t]*:[ \t]*""#, Kind::Tail(1)),
    // Here-strings into a reader of passwords: `sudo -S <<< 'PW'`, `passwd --stdin <<< PW`
    (
        r"(?i)(?:\bsudo[ \t]+(?:-[A-Za-z]+[ \t]+)*-[A-Za-z]*(?-i:S)[A-Za-z]*|--stdin|--passphrase-fd|\bchpasswd|\bcryptsetup|\bkinit|\bpdbedit|\bsmbpasswd)[^\n|;&<]*<<<[ \t]*",
        Kind::Value,
    ),
    // Go database DSNs: `user:PW@tcp(host:3306)/db`
    (
        r#"[A-Za-z0-9_.-]+:[^\s@/"']+@(?:tcp|unix|udp)\("#,
        Kind::UserinfoPass,
    ),
    // MySQL's first start: `A temporary password is generated for root@localhost: PW`
    (
        r"(?i)temporary password is generated for [^\s:]+:[ \t]+\S+",
        Kind::LastRun,
    ),
    // pysnmp: `CommunityData('COMMUNITY', mpModel=1)`, `UsmUserData('u', 'AUTHKEY', …)`
    (r"(?i)CommunityData\([ \t]*", Kind::Value),
    (
        r#"(?i)UsmUserData\([ \t]*['"][^'"\n]*['"][ \t]*,[ \t]*"#,
        Kind::Value,
    ),
    // A quoted value after `password is`: `the passphrase is 'correct horse battery staple'`
    (
        r#"(?i-u:\b(?:password|passphrase|passwd|passcode|secret|pw))(?:[ \t]+(?:for|of|on)[ \t]+[^\n'"]{1,40}?)?[ \t]+(?:is|was|will[ \t]+be|set[ \t]+to)[ \t]+(?:now[ \t]+)?['"]"#,
        Kind::Tail(1),
    ),
    // radtest USER PASSWORD SERVER NAS-PORT SECRET
    (
        r"(?i-u:\bradtest)[ \t]+",
        Kind::Positional(1, &["-t", "-P", "-d", "-D"]),
    ),
    (
        r"(?i-u:\bradtest)[ \t]+",
        Kind::Positional(4, &["-t", "-P", "-d", "-D"]),
    ),
    // MinIO client: `mc alias set NAME URL ACCESS SECRET`, `mc config host add …`
    (
        r"(?i-u:\bmc[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add))[ \t]+\S+[ \t]+\S+[ \t]+\S+[ \t]+",
        Kind::Value,
    ),
    // Ubuntu: `canonical-livepatch enable TOKEN`, `pro attach TOKEN`, `ua attach TOKEN`
    (
        r"(?i-u:\b(?:canonical-livepatch[ \t]+enable|(?:pro|ua)[ \t]+attach))[ \t]+",
        Kind::Value,
    ),
    // debconf's protocol (preseeding): `SET passwd/root-password VALUE`
    (
        r"(?-u:\bSET)[ \t]+[A-Za-z0-9_.-]+/[A-Za-z0-9_/.-]*(?:password|passwd|passphrase)[A-Za-z0-9_/.-]*[ \t]+",
        Kind::Value,
    ),
    // VRRP/HSRP/OSPF `authentication text X`
    (r"(?i-u:\bauthentication[ \t]+text)[ \t]+", Kind::Value),
    // FortiOS/VyOS config blocks: `set psksecret X`, `set password ENC X`
    (
        r"(?mi)(?:^|[#;])[ \t]*set[ \t]+(?:psksecret|passwd|password|secret|psk|auth-password|sso-password|pre-shared-secret)[ \t]+(?:ENC[ \t]+)?",
        Kind::Value,
    ),
    // `grafana-cli admin reset-admin-password NEWPW`
    (
        r"(?i-u:\breset-admin-password)[ \t]+",
        Kind::Positional(0, &["--homepath", "--config"]),
    ),
    // Calls that create users or set passwords: the last quoted argument
    // (`create_user('alice', 'alice@corp.example', 'PW')`, Salt `set_password' … args=[…]`).
    (
        r"(?i-u:\b(?:create_user|add_user|adduser|new_user|register_user|set_password|change_password|reset_password|set_passwd|update_password)['\x22]?)(?:[ \t]*\(|[^\n]{0,80}?\bargs=\[)",
        Kind::LastArg,
    ),
    // redis-cli: `127.0.0.1:6379> AUTH [user] PW`
    (r"[0-9]> ?(?:AUTH|auth)[ \t]+", Kind::Positional(0, &[])),
    (r"[0-9]> ?(?:AUTH|auth)[ \t]+", Kind::Positional(1, &[])),
    // A token on a login command's standard input: `az devops login … <<< TOKEN`
    (
        r"(?i-u:\b(?:login|auth|authenticate))\b[^\n|;&<]*<<<[ \t]*",
        Kind::Value,
    ),
    // MikroTik: `/snmp community set … name=COMMUNITY`
    (
        r"(?i-u:/snmp[ \t]+community[ \t]+(?:add|set))[^\n]*?(?-u:\b)name=",
        Kind::Value,
    ),
    // Composer auth: `composer config [--global] [--auth] http-basic.HOST USER PASSWORD`,
    // `github-oauth.github.com TOKEN`, `gitlab-token.HOST TOKEN`, `bearer.HOST TOKEN`.
    (
        r"(?i-u:\bhttp-basic)\.[^\s]+[ \t]+[^\s]+[ \t]+",
        Kind::Value,
    ),
    (
        r"(?i-u:\b(?:github-oauth|gitlab-oauth|gitlab-token|bearer))\.[A-Za-z0-9.-]+[ \t]+",
        Kind::Value,
    ),
    // redis-py: `sending (b'AUTH', b'PW')`
    (r#"(?i)b?['"]auth['"][ \t]*,[ \t]*b?"#, Kind::Value),
    // SAP: `sapcontrol … -user USER PASSWORD`
    (
        r"(?i-u:\bsapcontrol\b)[^\n]*?[ \t]-user[ \t]+\S+[ \t]+",
        Kind::Value,
    ),
    // SPNEGO / NTLM credentials after their scheme word anywhere.
    (r"(?-u:\b)(?:Negotiate|NTLM)[ \t]+", Kind::Shaped),
    // SASL PLAIN in a bytes repr: `b'\x00celery\x00PW'`
    (r"\\x00[A-Za-z0-9_.@-]{1,64}\\x00", Kind::Value),
    // Junos `authentication plain-text-password-value X`, Cisco WLC `psk set-key ascii X`,
    // VyOS `authentication pre-shared-secret 'X'`.
    (
        r"(?i-u:\b(?:plain-text-password-value|set-key[ \t]+(?:ascii|hex)|pre-shared-secret))[ \t]+",
        Kind::Value,
    ),
    // redis-py with a user: `(b'AUTH', b'default', b'PW')`
    (
        r#"(?i)b?['"]auth['"][ \t]*,[ \t]*b?['"][^'"\n]{1,64}['"][ \t]*,[ \t]*b?"#,
        Kind::Value,
    ),
    // An OAuth code outside a query string: `error=invalid_code code=…`
    (r"(?:^|[ \t])code=", Kind::Shaped),
    // `use admin / Granite$Owl41`: an admin user, a spaced slash, the password.
    (
        r"(?-u:\b)(?:admin|root|ADMIN|Administrator|administrator|USERID|ops)[ \t]+/[ \t]+",
        Kind::Shaped,
    ),
    // Cisco trap receivers: `snmp-server host ADDR [traps|informs] [version V] COMMUNITY`
    (
        r"(?i-u:\bsnmp-server[ \t]+host)[ \t]+\S+[ \t]+(?:(?:traps|informs)[ \t]+)?(?:version[ \t]+(?:1|2c|3[ \t]+(?:auth|noauth|priv))[ \t]+)?",
        Kind::Value,
    ),
    // Huawei/H3C: `local-user admin password irreversible-cipher X`, `password cipher X`
    (
        r"(?i-u:\bpassword)[ \t]+(?:cipher|irreversible-cipher|simple)[ \t]+",
        Kind::Value,
    ),
    // Intel syscfg BIOS passwords: `/bap OLD NEW`, `/bup ADMIN OLD NEW`
    (
        r"(?i-u:\bsyscfg)(?:\.exe)?[ \t]+/b[au]p[ \t]+",
        Kind::Positional(0, &[]),
    ),
    (
        r"(?i-u:\bsyscfg)(?:\.exe)?[ \t]+/b[au]p[ \t]+",
        Kind::Positional(1, &[]),
    ),
    (
        r"(?i-u:\bsyscfg)(?:\.exe)?[ \t]+/bup[ \t]+",
        Kind::Positional(2, &[]),
    ),
    // One-time and recovery codes: `your one-time code is 631306`, `recovery code for
    // admin: wxxov-2nuuq`, `BitLocker recovery key for WS-01: 807742-636898-…`.
    (
        r"(?i-u:\b(?:one-time|verification|security|login|otp|2fa|mfa|sms|recovery|backup)(?:[ \t]+(?:recovery|backup|login))?[ \t]+(?:pass)?(?:code|key|pin|word)s?)(?:[ \t]+for[ \t]+[^\s:]{1,40})?[ \t]*(?:is|:|=)?[ \t]*",
        Kind::Pin,
    ),
    // `the passphrase is maple-river-cloud-27`: words joined by hyphens (a passphrase).
    (
        r#"(?i-u:\b(?:passphrase|password|passcode|psk|pass[ \t]+phrase))(?i:[ \t]+(?:for|of|on)[ \t]+[^\n'"]{1,40}?)?(?i-u:(?:[ \t]+(?:is|was)|:)[ \t]+(?:now[ \t]+)?)"#,
        Kind::Phrase,
    ),
    // OpenVPN static keys echoed with their block tag: `<tls-crypt> line 7: 554af3…`.
    (
        r"(?i-u:<(?:tls-crypt(?:-v2)?|tls-auth|secret)>)[^\n]*?(?-u:\b)[0-9a-fA-F]{32,}",
        Kind::LastRun,
    ),
    // `default credentials are ADMIN / KZQWPLMXRT`: user, a spaced slash, the password.
    (
        r"(?i-u:\b(?:credentials?|creds)\b)[^\n/]{0,40}?[ \t][A-Za-z0-9_.@\\-]{2,32}[ \t]+/[ \t]+",
        Kind::Value,
    ),
];

/// Lowercase needles per phrase rule (`|`-separated): a rule only runs on text that
/// holds one of them (one pass over the text finds all needles).
pub(super) const PHRASE_NEEDLES: &[&str] = &[
    "password",
    "set|config|mod",
    "pass",
    "cfg",
    "identified",
    "maas",
    "pass|community|psk",
    "password",
    "secret|password|key|ascii",
    "enable",
    "username",
    "aaa",
    "community",
    "server|pre-shared|isakmp",
    "-key",
    "-key|key-|-password|ascii-|wpa-psk|pre-shared",
    "chap|pap",
    "neighbor",
    "auth md5|auth sha|auth\tmd5|auth\tsha",
    "priv",
    "createuser",
    "createuser",
    "community",
    "com2sec",
    "rootpw|bindpw|masterauth|requirepass|auth_pass",
    "login",
    "pass|secret|token",
    "securestring",
    "net",
    "net",
    "net",
    "schtasks",
    "schtasks",
    "/p",
    "smcipmitool",
    "ipmicfg",
    "rabbitmqctl",
    "wpa_passphrase",
    "vault",
    "openssl",
    "htpasswd",
    "echo|printf",
    "oracle",
    "sqlplus|sqlldr|expdp|impdp|rman|dgmgrl",
    "]",
    ":*:|:5432:",
    " >|\">",
    "\"auth\"",
    "\\r\\n$4\\r\\nauth",
    "auth plain|auth login|auth xoauth2|auth oauthbearer|auth cram-md5",
    "login",
    "pass",
    "passwordeval",
    "digest",
    "basicauth|digestauth|proxyauth|ntlmauth|credential|passwordauthentication|.login",
    "',|\",",
    "login(|log_in(|authenticate(|auth(|bind(|connect(|login (|log_in (|authenticate (|auth (|bind (|connect (",
    "',|\",",
    "code=",
    "lan",
    "random",
    "password",
    "/bot",
    "chpasswd",
    "secret,",
    "requirepass|masterauth|masteruser",
    "setuser",
    "password|passwd|secret|token|apikey|api_key|authtok",
    "password|secret|token|apikey|authtok",
    "stats",
    "expect",
    "sentry",
    "eap|xauth|psk|ntlm",
    "authinfo",
    "wifi",
    "@",
    "unseal",
    "ktpass",
    "password",
    "kty",
    "<<<",
    "@tcp(|@unix(|@udp(",
    "temporary password",
    "communitydata",
    "usmuserdata",
    "is '|is \"|was '|was \"|be '|be \"|to '|to \"",
    "radtest",
    "radtest",
    "mc alias|mc config",
    "livepatch|attach",
    "passw|passphrase",
    "authentication text",
    "set",
    "reset-admin-password",
    "create_user|add_user|adduser|new_user|register_user|set_password|change_password|reset_password|set_passwd|update_password",
    "> auth|>auth",
    "> auth|>auth",
    "<<<",
    "/snmp",
    "http-basic",
    "github-oauth|gitlab-oauth|gitlab-token|bearer.",
    "'auth'|\"auth\"",
    "sapcontrol",
    "negotiate|ntlm",
    "\\x00",
    "plain-text-password-value|set-key|pre-shared-secret",
    "'auth'|\"auth\"",
    "code=",
    " / ",
    "snmp-server",
    "cipher|simple",
    "syscfg",
    "syscfg",
    "syscfg",
    "code|key|pin|password",
    "pass|psk",
    "tls-crypt|tls-auth|<secret>",
    "credential|creds",
];
