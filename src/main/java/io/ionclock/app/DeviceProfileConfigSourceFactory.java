package io.ionclock.app;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Loads the device profile named by {@code ionclock.profile} (default {@code sim}) as a config source
 * ranked above application.properties and below system properties and the environment. Looked up in
 * {@code ./device-profiles/}, {@code /etc/ionclock/device-profiles/}, then the profiles in the jar.
 */
public final class DeviceProfileConfigSourceFactory implements ConfigSourceFactory {
    /** Above application.properties (250), below the environment (300). */
    static final int ORDINAL = 270;
    static final String DEFAULT_PROFILE = "sim";
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    static final List<Path> DIRECTORIES = List.of(Path.of("device-profiles"), Path.of("/etc/ionclock/device-profiles"));
    /** A profile larger than this is not a profile. */
    static final long PROFILE_BYTES_MAX = 64 * 1024;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue value = context.getValue("ionclock.profile");
        String name = value == null || value.getValue() == null ? DEFAULT_PROFILE : value.getValue().trim();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("ionclock.profile: '" + name
                    + "' is not a profile name (lower case letters, digits and '-')");
        }
        String file = name + ".properties";
        try {
            for (Path dir : DIRECTORIES) {
                Path path = dir.resolve(file);
                if (Files.isRegularFile(path)) {
                    if (Files.size(path) > PROFILE_BYTES_MAX) {
                        throw new IllegalArgumentException("ionclock.profile: " + path + " is over " + PROFILE_BYTES_MAX + " bytes");
                    }
                    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                        return List.of(source(r, path.toString()));
                    }
                }
            }
            try (InputStream in = getClass().getClassLoader().getResourceAsStream("device-profiles/" + file)) {
                if (in != null) {
                    return List.of(source(new java.io.InputStreamReader(in, StandardCharsets.UTF_8), "classpath:device-profiles/" + file));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("ionclock.profile: cannot read profile '" + name + "': " + e, e);
        }
        throw new IllegalArgumentException("ionclock.profile: no device profile '" + name + "' in " + DIRECTORIES
                + " or the bundled profiles");
    }

    private static ConfigSource source(Reader reader, String origin) throws IOException {
        Properties p = new Properties();
        p.load(reader);
        Map<String, String> map = new HashMap<>();
        p.forEach((k, v) -> map.put(k.toString(), v.toString()));
        return new PropertiesConfigSource(map, "device-profile " + origin, ORDINAL);
    }
}
