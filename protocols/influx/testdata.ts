/**
 * Seed corpora of Influx line protocol bodies: realistic payloads shaped
 * exactly like those of Telegraf's influx serializer and the official
 * clients, and adversarial ones for the differential and fuzz tests.
 *
 * Every line carries an explicit timestamp unless its name says otherwise
 * (`NO_TS_*`), so differential tests can compare timestamps exactly.
 *
 * @module
 */

const T_NS = "1700000000000000000";

/**
 * Telegraf (outputs.influxdb / outputs.http with data_format=influx): tags
 * sorted by key, integers as `i`, strings quoted with `\"` and `\\` escaped,
 * ns timestamps, `\n` after every line. Telegraf posts it to
 * `/write?db=telegraf` (v1 output) or `/api/v2/write?bucket=…&org=…` (v2).
 */
export const TELEGRAF = [
  `cpu,cpu=cpu-total,host=telegraf-host usage_guest=0,usage_guest_nice=0,usage_idle=97.23618090452261,usage_iowait=0.12562814070351758,usage_irq=0,usage_nice=0,usage_softirq=0.02512562814070352,usage_steal=0,usage_system=0.7537688442211056,usage_user=1.8844221105527639 ${T_NS}`,
  `cpu,cpu=cpu0,host=telegraf-host usage_guest=0,usage_idle=95.5,usage_system=1.5,usage_user=3 ${T_NS}`,
  `mem,host=telegraf-host active=2877358080i,available=12912984064i,available_percent=77.09441866219066,buffered=431624192i,cached=6286684160i,free=6556237824i,total=16749838336i,used=3475292160i,used_percent=20.749268646389706 ${T_NS}`,
  `disk,device=sda1,fstype=ext4,host=telegraf-host,mode=rw,path=/ free=85897474048i,inodes_free=6019837i,inodes_total=6553600i,inodes_used=533763i,total=105089261568i,used=13804810240i,used_percent=13.845027837380473 ${T_NS}`,
  `disk,device=sdb1,fstype=ext4,host=telegraf-host,mode=rw,path=/mnt/data\\ disk free=1i,total=2i ${T_NS}`,
  `system,host=telegraf-host load1=0.26,load15=0.36,load5=0.32,n_cpus=8i,n_users=2i ${T_NS}`,
  `system,host=telegraf-host uptime=123456i ${T_NS}`,
  `system,host=telegraf-host uptime_format="1 day, 10:17" ${T_NS}`,
  `net,host=telegraf-host,interface=eth0 bytes_recv=1234567890i,bytes_sent=987654321i,drop_in=0i,drop_out=0i,err_in=0i,err_out=0i,packets_recv=1234567i,packets_sent=765432i ${T_NS}`,
  `processes,host=telegraf-host blocked=0i,dead=0i,idle=64i,paging=0i,running=1i,sleeping=245i,stopped=0i,total=310i,total_threads=1024i,unknown=0i,zombies=0i ${T_NS}`,
  `docker_container_status,container_image=nginx,container_name=web,host=telegraf-host exitcode=0i,oomkilled=false,pid=1234i,started_at=1699999000000000000i ${T_NS}`,
  `http_response,method=GET,result=success,server=https://example.com/a\\,b,status_code=200 content_length=612i,http_response_code=200i,response_time=0.012345,result_code=0i,result_type="success" ${T_NS}`,
].join("\n") + "\n";

/**
 * influxdb-client-js `Point` (`new Point("temperature").tag(…).floatField(…)
 * .intField(…).booleanField(…).stringField(…)` through `WriteApi`): tags
 * and fields sorted by key, booleans as `T`/`F`, lines joined by `\n` with
 * no trailing newline, posted to `/api/v2/write?org=…&bucket=…&precision=ns`.
 * node-influx (v1) posts the same lines to `/write?db=…&precision=…`.
 */
export const CLIENT_JS = [
  `temperature,location=north,sensor=s\\ 1 count=3i,note="a \\"quoted\\", text",ok=T,value=22.5 ${T_NS}`,
  `temperature,location=south,sensor=s2 count=4i,ok=F,value=-3.25 1700000001000000000`,
  `humidity,location=north value=45.5 1700000002000000000`,
  `my\\ measurement,tag\\ key=tag\\=value,t2=a\\,b field\\ key="x\\\\y",f2=1e-3 1700000003000000000`,
].join("\n");

/** Escapes, quoting and number forms vmagent v1.79.5 handles in its own way. */
export const ADVERSARIAL = [
  "weird\\ meas,ta\\,g=v\\ 1 f\\=x=3 1700000000",
  "m1 plus=+5,dot=.5,dotend=5.,negdot=-.5,e=1e5,E=1E+05,hex=0x10,under=1_000,big=12345678901234567.5,huge=123456789012345678901 1700000000",
  "m2 z=-0,emin=1e-5,ebig=1e301 1700000000",
  "m3 trailing=1 ",
  'm4 s="abc 1700000000',
  'm5 s="12.5",t="abc",u="",v="1e3",w="1i" 1700000000',
  "m6 i=1i,u=2u,neg=-3i,bt=t,bT=True,bF=FALSE,bf=f,btrue=TRUE,bfalse=false,bFalse=False,btr=true,bFl=F 1700000000",
  "m6b negu=-1u 1700000000",
  "m6c fi=1.5i 1700000000",
  "m7,a=,=b,c=d f=1 1700000000",
  "m8 f=1 1700000000 extra",
  "m9,t=v\\  f=1 1700000000",
  "m10 f\\ x=1,g\\,y=2,h\\=z=3 1700000000",
  "m11  f=1   1700000000",
  " m12 f=1 1700000000",
  "m13,abc f=1 1700000000",
  "m14,t=a=b f=1 1700000000",
  'm15 f="a,b c",g=2 1700000000',
  'm16 f="a\\"b",g=3 1700000000',
  ",t=v f17=1 1700000000",
  "m18 =1 1700000000",
  "m19 f= 1700000000",
  "m20 f=1,,g=2 1700000000",
  "m21 f=1, 1700000000",
  "m22 f=1 -1",
  "m23 f=1 1700000000000",
  "m24 f=1 1700000000000000",
  "m25 f=1 1700000000123456789",
  "m25b f=1 1700000000123999999",
  "#m27 f=1 1700000000",
  "m28 f=1 1700000000.5",
  "m29 f=1e 1700000000",
  "m30,t=\\\\ f=1,g\\\\=2 1700000000",
  "m31,t=a\\b f=1 1700000000",
  "m32,t=x\\ f=1 1700000000",
  'm33 f="x"y,g=1 1700000000',
  'm34 f="" 1700000000',
  "m35 f=1 +1700000000",
  "m36 a=1e3i 1700000000",
  "m37 a=9223372036854775807i,b=-9223372036854775808i,c=18446744073709551615u,d=00000000000000000000001i 1700000000",
  "m38 a=9223372036854775808i 1700000000",
  "m39 a=18446744073709551616u 1700000000",
  "m40 a=5.e3,b=1.5e,c=1e+,d=1e5x,e=1.5x,g=00012,h=0.1,j=123456.789e-3,k=9007199254740993,m=123456789012345678 1700000000",
  "m41 n=1234567890123456789,r=3.14159265358979,t=nan1,w=1e300,x=1e-300,y=2.5e+10,z=.e1 1700000000",
  "m42 a=12345678901234567890_1,b=1234567890123456789.5,c=-123456789012345678.5,d=9999999999999999,e=99999999999999999 1700000000",
  "m43,db=own f=1 1700000000",
  "m44,__name__=evil f=1 1700000000",
  'm45,t=x"y f=1 1700000000',
  'm46 f="with space" 1700000000',
  'm47 f="a\\\\",g=1 1700000000',
  "m48,a=1,a=2 f=1 1700000000",
  "m49,t=\u00e9\u00e8 f\u00fc=1 1700000000",
  "m50 f=1 1700000000 HTTP/1.1",
  "GET /write HTTP/1.1",
  'm52 f=1i,g=2u,h=3,i=T,j="4" 1700000000',
  "m53,z=1,a=2 y=1,b=2 1700000000",
  "\\ m54 f=1 1700000000",
  "m55\\ f=1 1700000000",
  "m56 f=1 00001700000000",
  "m58 f=1 1700000000\r",
  "m59 f=-1.5E-3 1700000000",
].join("\n") + "\n";

/** Values that become ±Inf or NaN (VictoriaMetrics drops NaN; its export prints Inf unquoted). */
export const NON_FINITE = [
  "nf1 inf=inf,infinity=infinity,minf=-Inf,pinf=+inf,nan=NaN,NAN=NAN 1700000000",
  'nf2 x="inf",y="-Infinity",z="nan" 1700000000',
  "nf3 u=Infinity,v=-infinity,w=1e309,x=-1e309,y=123456789012345678901e300 1700000000",
].join("\n") + "\n";

/** Lines without timestamps (compare with timestamps masked). */
export const NO_TS = [
  "nots_a f=1",
  "nots_b,host=h1 f=1,g=2i",
  "nots_c f=1 0",
  'nots_d s="x y"',
  "",
  "# comment",
  "nots_e f=T",
  "nots_f f=1 -0",
  "nots_g f=1 000",
].join("\n");

/** Bodies with CRLF line ends, blank lines and only comments. */
export const CRLF = "crlf_a,t=x f=1 1700000000\r\ncrlf_b f=2 1700000000\r\n\r\n# c\r\ncrlf_c f=3 1700000000";

/** Every seed, for the fuzz test. */
export const SEEDS: string[] = [
  TELEGRAF,
  CLIENT_JS,
  ADVERSARIAL,
  NON_FINITE,
  NO_TS,
  CRLF,
  "",
  "\n\n\n",
  "#\n#\n",
  "m f=1",
  'm f="',
  "m,t=\\",
  "m \\",
  "\\",
  "m f=1 1 1",
  '"m" "f"="1"',
  'm f="a\\"',
  'm,t="a b" f=1',
  'm f="\\\\",g="\\""',
];
