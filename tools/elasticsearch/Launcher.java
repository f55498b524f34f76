/*
 * Guichet test node: one real Elasticsearch 8 node in this JVM, for the test suite and for
 * `make elasticsearch`.
 *
 * Run with the single-file source launcher (the jars come from `mvn dependency:copy-dependencies`):
 *
 *   java -Xms512m -Xmx1g -cp 'lib/*' Launcher.java --port 9200 --home /tmp/guichet-es
 *
 * Why not the codelibs cluster runner: org.codelibs:elasticsearch-cluster-runner stops at
 * 7.10.2.0 on Maven Central (no 8.x, no 7.17.x). Elastic does publish the 8.x server, its test
 * framework (MockNode lets us start a node with plugins taken from the classpath) and the
 * transport-netty4 module (the HTTP layer), so we start that node directly. Elastic does not
 * publish the analysis-common module, so GuichetAnalysisPlugin below registers the few analysis
 * components Guichet's index uses, under the same names and with the same settings as
 * analysis-common (lowercase, asciifolding, elision, stemmer, edge_ngram, synonym_graph); the
 * index definition therefore works unchanged on a production cluster. Anything else from
 * analysis-common is absent here and fails loudly when an index asks for it.
 *
 * Options: --port N (0 picks a free port), --home DIR (data, logs and config; created when
 * missing, a temporary folder by default), --cluster-name NAME, --exit-when-stdin-closes (stop
 * when the parent process goes away).
 *
 * Output: one line "GUICHET-ELASTICSEARCH READY http://127.0.0.1:<port>" once the node serves
 * HTTP. SIGTERM (or Ctrl-C) closes the node cleanly.
 */

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchMinimalStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.MockNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.tartarus.snowball.ext.FrenchStemmer;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

public class Launcher {

    public static final String READY = "GUICHET-ELASTICSEARCH READY";

    public static void main(String[] args) throws Exception {
        String port = "9200";
        Path home = null;
        String clusterName = "guichet-test";
        String nodeName = "guichet-node";
        String transportPort = "0";
        String seedHosts = null;
        String initialMasters = null;
        boolean exitWhenStdinCloses = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = args[++i];
                case "--home" -> home = Path.of(args[++i]);
                case "--cluster-name" -> clusterName = args[++i];
                case "--node-name" -> nodeName = args[++i];
                case "--transport-port" -> transportPort = args[++i];
                case "--seed-hosts" -> seedHosts = args[++i];
                case "--initial-masters" -> initialMasters = args[++i];
                case "--exit-when-stdin-closes" -> exitWhenStdinCloses = true;
                default -> {
                    System.err.println("usage: Launcher [--port N] [--home DIR] [--cluster-name NAME] [--node-name NAME] [--transport-port N] [--seed-hosts H:P,...] [--initial-masters NAME,...] [--exit-when-stdin-closes]");
                    System.exit(2);
                }
            }
        }
        if (home == null) {
            home = Files.createTempDirectory("guichet-es-");
        }
        Files.createDirectories(home.resolve("config"));

        Settings.Builder builder = Settings.builder()
            .put("cluster.name", clusterName)
            .put("node.name", nodeName)
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", port)
            // one node: transport is only used inside it (any free port); a cluster (--seed-hosts)
            // gives each node a fixed transport port that the others find it on
            .put("transport.port", transportPort)
            // tests write to small temporary disks: never turn indices read-only
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // lets tests delete their indices with a wildcard
            .put("action.destructive_requires_name", false)
            .put("logger.level", System.getProperty("guichet.es.loglevel", "WARN"));
        if (seedHosts == null) {
            builder.put("discovery.type", "single-node");
        } else {
            builder.putList("discovery.seed_hosts", seedHosts.split(","));
            builder.putList("cluster.initial_master_nodes", initialMasters.split(","));
        }
        Settings settings = builder.build();

        LogConfigurator.configureESLogging();
        LogConfigurator.configureWithoutConfig(settings);

        Node node = newNode(settings, List.of(Netty4Plugin.class, GuichetAnalysisPlugin.class));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "guichet-es-shutdown"));
        node.start();
        HttpServerTransport http = node.injector().getInstance(HttpServerTransport.class);
        int boundPort = http.boundAddress().publishAddress().getPort();
        System.out.println(READY + " http://127.0.0.1:" + boundPort);
        System.out.flush();
        if (exitWhenStdinCloses) {
            // The parent keeps our stdin open for as long as it lives: if it dies without
            // stopping us (killed test run), the pipe closes and the node goes away with it.
            Thread watcher = new Thread(() -> {
                try {
                    while (System.in.read() != -1) {
                        // ignore input
                    }
                } catch (IOException e) {
                    // a broken pipe means the same thing as end of input
                }
                System.exit(0);
            }, "guichet-es-parent-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        closed.await();
    }

    /**
     * MockNode is the one way to start a node with plugins taken from the classpath. Its public
     * constructors load ESTestCase, whose bootstrap refuses to run as root and installs the test
     * security manager; its private constructor takes a ready Environment and does neither.
     */
    private static Node newNode(Settings settings, Collection<Class<? extends Plugin>> plugins) throws Exception {
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "guichet-node");
        Constructor<MockNode> constructor = MockNode.class.getDeclaredConstructor(
            Environment.class, Collection.class, boolean.class, Closeable.class);
        constructor.setAccessible(true);
        Closeable nothingToRelease = () -> {};
        return constructor.newInstance(environment, plugins, true, nothingToRelease);
    }

    /**
     * Token filters from analysis-common that Guichet's index uses, same names and settings; and
     * the root endpoint (GET and HEAD /, the client's info() and ping()), which Elasticsearch 8
     * serves from its rest-root module, not published on Maven Central either.
     */
    public static class GuichetAnalysisPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

        @Override
        public Collection<RestHandler> getRestHandlers(
            Settings settings,
            NamedWriteableRegistry namedWriteableRegistry,
            RestController restController,
            ClusterSettings clusterSettings,
            IndexScopedSettings indexScopedSettings,
            SettingsFilter settingsFilter,
            IndexNameExpressionResolver indexNameExpressionResolver,
            Supplier<DiscoveryNodes> nodesInCluster,
            Predicate<NodeFeature> clusterSupportsFeature
        ) {
            String nodeName = settings.get("node.name");
            String clusterName = settings.get("cluster.name");
            RestHandler root = new RestHandler() {
                @Override
                public List<Route> routes() {
                    return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
                }

                @Override
                public void handleRequest(RestRequest request, RestChannel channel, NodeClient client) throws Exception {
                    if (request.method() == RestRequest.Method.HEAD) {
                        channel.sendResponse(new RestResponse(RestStatus.OK, "application/json", BytesArray.EMPTY));
                        return;
                    }
                    XContentBuilder body = channel.newBuilder();
                    body.startObject()
                        .field("name", nodeName)
                        .field("cluster_name", clusterName)
                        .startObject("version")
                        .field("number", Build.current().version())
                        .field("build_flavor", "default")
                        .field("lucene_version", org.apache.lucene.util.Version.LATEST.toString())
                        .endObject()
                        .field("tagline", "You Know, for Search")
                        .endObject();
                    channel.sendResponse(new RestResponse(RestStatus.OK, body));
                }
            };
            return List.of(root);
        }

        @Override
        public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
            Map<String, AnalysisProvider<TokenFilterFactory>> filters = new TreeMap<>();
            filters.put("lowercase", (indexSettings, env, name, settings) -> normalizing(name, settings, LowerCaseFilter::new));
            filters.put("asciifolding", (indexSettings, env, name, settings) -> {
                boolean preserveOriginal = settings.getAsBoolean("preserve_original", false);
                return normalizing(name, settings, stream -> new ASCIIFoldingFilter(stream, preserveOriginal));
            });
            filters.put("elision", AnalysisPlugin.requiresAnalysisSettings((indexSettings, env, name, settings) -> {
                CharArraySet articles = Analysis.parseArticles(env, settings);
                if (articles == null) {
                    throw new IllegalArgumentException("elision filter requires [articles] or [articles_path] setting");
                }
                return normalizing(name, settings, stream -> new ElisionFilter(stream, articles));
            }));
            // requires its settings here: Elasticsearch builds unconfigured filters with empty
            // settings, and only the French stemmers and the English ones Guichet uses for English
            // records (Snowball English, possessive) exist on this node (analysis-common has many)
            filters.put("stemmer", AnalysisPlugin.requiresAnalysisSettings((indexSettings, env, name, settings) -> {
                String language = settings.get("language", settings.get("name", "english"));
                UnaryOperator<TokenStream> stemmer = switch (language) {
                    case "light_french" -> FrenchLightStemFilter::new;
                    case "minimal_french" -> FrenchMinimalStemFilter::new;
                    case "french" -> stream -> new SnowballFilter(stream, new FrenchStemmer());
                    case "porter2" -> stream -> new SnowballFilter(stream, new EnglishStemmer());
                    case "possessive_english" -> EnglishPossessiveFilter::new;
                    default -> throw new IllegalArgumentException(
                        "stemmer language [" + language + "] is not available on the Guichet test node");
                };
                return filter(name, settings, stemmer);
            }));
            filters.put("edge_ngram", (indexSettings, env, name, settings) -> {
                int minGram = settings.getAsInt("min_gram", 1);
                int maxGram = settings.getAsInt("max_gram", 2);
                boolean preserveOriginal = settings.getAsBoolean("preserve_original", false);
                return filter(name, settings, stream -> new EdgeNGramTokenFilter(stream, minGram, maxGram, preserveOriginal));
            });
            filters.put("synonym_graph", AnalysisPlugin.requiresAnalysisSettings(SynonymGraphFilterFactory::new));
            return filters;
        }

        @Override
        public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
            // Elasticsearch core already pre-configures "lowercase"
            return List.of(PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new));
        }

        private static TokenFilterFactory filter(String name, Settings settings, UnaryOperator<TokenStream> create) {
            return new AbstractTokenFilterFactory(name, settings) {
                @Override
                public TokenStream create(TokenStream stream) {
                    return create.apply(stream);
                }
            };
        }

        private static TokenFilterFactory normalizing(String name, Settings settings, UnaryOperator<TokenStream> create) {
            class Normalizing extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
                Normalizing() {
                    super(name, settings);
                }

                @Override
                public TokenStream create(TokenStream stream) {
                    return create.apply(stream);
                }
            }
            return new Normalizing();
        }
    }

    /**
     * synonym_graph with Solr-format rules given inline ("synonyms") or in a file under the
     * node's config folder ("synonyms_path"). As in analysis-common, the rules are analysed with
     * the filters that come before this one in the analyzer, so they are elided, folded and
     * stemmed exactly like the text they meet.
     */
    public static class SynonymGraphFilterFactory extends AbstractTokenFilterFactory {
        private final Environment environment;
        private final Settings settings;
        private final boolean expand;
        private final boolean updateable;

        public SynonymGraphFilterFactory(IndexSettings indexSettings, Environment environment, String name, Settings settings) {
            super(name, settings);
            this.environment = environment;
            this.settings = settings;
            this.expand = settings.getAsBoolean("expand", true);
            this.updateable = settings.getAsBoolean("updateable", false);
            String format = settings.get("format", "solr");
            if (!format.equals("solr")) {
                throw new IllegalArgumentException("synonym format [" + format + "] is not available on the Guichet test node");
            }
        }

        @Override
        public AnalysisMode getAnalysisMode() {
            return updateable ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
        }

        @Override
        public TokenStream create(TokenStream stream) {
            throw new IllegalStateException("synonym_graph must be specialised for its analysis chain first");
        }

        @Override
        public TokenFilterFactory getChainAwareTokenFilterFactory(
            IndexCreationContext context,
            TokenizerFactory tokenizer,
            List<CharFilterFactory> charFilters,
            List<TokenFilterFactory> previousTokenFilters,
            Function<String, TokenFilterFactory> allFilters
        ) {
            Analyzer ruleAnalyzer = new CustomAnalyzer(
                tokenizer,
                charFilters.toArray(new CharFilterFactory[0]),
                previousTokenFilters.stream().map(TokenFilterFactory::getSynonymFilter).toArray(TokenFilterFactory[]::new)
            );
            SynonymMap synonyms;
            try {
                SolrSynonymParser parser = new SolrSynonymParser(true, expand, ruleAnalyzer);
                parser.parse(new StringReader(String.join("\n", rules())));
                synonyms = parser.build();
            } catch (IOException | ParseException e) {
                throw new IllegalArgumentException("failed to build synonyms: " + e.getMessage(), e);
            }
            String name = name();
            AnalysisMode mode = getAnalysisMode();
            return new TokenFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public TokenStream create(TokenStream stream) {
                    return synonyms.fst == null ? stream : new SynonymGraphFilter(stream, synonyms, false);
                }

                @Override
                public TokenFilterFactory getSynonymFilter() {
                    // a synonym filter never analyses the rules of another synonym filter
                    return IDENTITY_FILTER;
                }

                @Override
                public AnalysisMode getAnalysisMode() {
                    return mode;
                }
            };
        }

        private List<String> rules() {
            if (settings.getAsList("synonyms", null) != null) {
                return settings.getAsList("synonyms");
            }
            if (settings.get("synonyms_path") != null) {
                return Analysis.getWordList(environment, settings, "synonyms_path", "synonyms", false);
            }
            throw new IllegalArgumentException("synonym_graph requires either [synonyms] or [synonyms_path]");
        }
    }
}
