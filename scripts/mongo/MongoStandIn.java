import de.bwaldvogel.mongo.H2MongoServer;
import de.bwaldvogel.mongo.MongoServer;

/**
 * Runs mongo-java-server (H2 backend) on a chosen address. H2MongoServer's own main always binds
 * localhost:27017, so the stack runner uses this launcher to honour MONGO_PORT.
 *
 * <p>Usage: java -cp '.local/mongo/lib/*' scripts/mongo/MongoStandIn.java HOST PORT [DATA_FILE]
 * (without DATA_FILE the data lives in memory only).
 */
public final class MongoStandIn {
    private MongoStandIn() {}

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: MongoStandIn HOST PORT [DATA_FILE]");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        MongoServer server = args.length == 3 ? new H2MongoServer(args[2]) : new H2MongoServer();
        server.bind(host, port);
        System.out.println("mongo stand-in listening on " + host + ":" + port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("mongo stand-in shutting down");
            server.shutdownNow();
        }));
    }
}
