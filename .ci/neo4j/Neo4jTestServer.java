import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * A Neo4j 5 Community server for supplygraph's tests: the embedded database with its Bolt
 * connector on 127.0.0.1, authentication off, started by .ci/neo4j.sh and by the fault tests.
 *
 * <pre>
 *   java -cp ... Neo4jTestServer --home DIR [--port N] [--parent PID]
 * </pre>
 *
 * Prints {@code bolt://127.0.0.1:PORT} once the database answers. Without --port it takes a free
 * loopback port (and tries another if that one is taken before Bolt binds it). It stops on
 * SIGTERM or SIGINT, and by itself once the process --parent names has exited, so a CI run that
 * dies leaves no server behind.
 */
public final class Neo4jTestServer {
  private static final int ATTEMPTS = 5;

  public static void main(String[] args) throws Exception {
    Path home = null;
    int port = 0;
    long parent = -1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--home" -> home = Path.of(args[i + 1]).toAbsolutePath();
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--parent" -> parent = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (home == null) {
      throw new IllegalArgumentException("--home DIR is required");
    }
    DatabaseManagementService dbms = null;
    int bound = port;
    for (int attempt = 1; dbms == null; attempt++) {
      bound = port != 0 ? port : freePort();
      try {
        dbms = start(home, bound);
      } catch (RuntimeException e) {
        // A free port can be taken by someone else before Bolt binds it: pick another.
        if (port != 0 || attempt == ATTEMPTS) {
          throw e;
        }
        System.err.println("Neo4j did not start on port " + bound + " (" + e + "); retrying");
      }
    }
    DatabaseManagementService running = dbms;
    Runtime.getRuntime().addShutdownHook(new Thread(running::shutdown));
    // Answering a query means the database, not only the process, is up.
    running.database("neo4j").executeTransactionally("RETURN 1");
    System.out.println("bolt://127.0.0.1:" + bound);
    System.out.flush();
    if (parent > 0) {
      ProcessHandle.of(parent).ifPresent(p -> p.onExit().join());
      System.exit(0); // runs the shutdown hook
    }
    Thread.currentThread().join(); // until a signal ends the JVM
  }

  private static DatabaseManagementService start(Path home, int port) throws IOException {
    String address = "127.0.0.1:" + port;
    String config =
        String.join(
            "\n",
            "server.bolt.enabled=true",
            "server.bolt.listen_address=" + address,
            "server.bolt.advertised_address=" + address,
            // A throwaway test server on loopback: no credentials to manage.
            "dbms.security.auth_enabled=false",
            "server.memory.pagecache.size=256m",
            // Transaction memory stays at Neo4j's defaults (70% of the heap for all
            // transactions): supplygraph writes a load in bounded batches, and the tests check
            // that a whole-registry load fits.
            "db.tx_log.rotation.retention_policy=1 files",
            "");
    Files.createDirectories(home);
    Path file = home.resolve("neo4j.conf");
    Files.writeString(file, config);
    return new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(file).build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
