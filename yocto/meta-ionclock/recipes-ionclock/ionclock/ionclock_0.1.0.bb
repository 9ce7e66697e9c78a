SUMMARY = "ionclock time appliance (prebuilt native executable)"
DESCRIPTION = "Reads a GNSS receiver and its PPS, keeps gateways in sync over \
Clocklink (UDP) and serves time over HTTP and MQTT."
LICENSE = "CLOSED"

# Nothing is compiled here. files/ionclock is the aarch64 executable built by
# container/Dockerfile.native on an arm64 host (see yocto/README.md); it is not
# in git. The udev rules and the device profiles are taken from the ionclock
# source tree that holds this layer (gpio/ and device-profiles/); outside
# that tree, copies in files/ are used instead.
FILESEXTRAPATHS:prepend := "${THISDIR}/../../../../gpio:${THISDIR}/../../../..:"

SRC_URI = " \
    file://ionclock \
    file://ionclock.service \
    file://ionclock.default \
    file://99-ionclock.rules \
    file://device-profiles \
"

# Local files unpack into UNPACKDIR from styhead on, into WORKDIR on scarthgap
# (which may not define UNPACKDIR). Not set here: a weak default in a recipe
# would override one in bitbake.conf.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

COMPATIBLE_HOST = "aarch64.*-linux"

inherit features_check systemd useradd
REQUIRED_DISTRO_FEATURES = "systemd"

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    install -D -m 0755 ${S}/ionclock ${D}${bindir}/ionclock
    install -D -m 0644 ${S}/ionclock.service ${D}${systemd_system_unitdir}/ionclock.service
    install -D -m 0644 ${S}/ionclock.default ${D}${sysconfdir}/default/ionclock
    install -D -m 0644 ${S}/99-ionclock.rules \
        ${D}${nonarch_base_libdir}/udev/rules.d/99-ionclock.rules
    install -d ${D}${sysconfdir}/ionclock/device-profiles
    install -m 0644 ${S}/device-profiles/* ${D}${sysconfdir}/ionclock/device-profiles/
}

SYSTEMD_SERVICE:${PN} = "ionclock.service"

# The gpio group is created if the image has none (groupadd skips existing groups).
USERADD_PACKAGES = "${PN}"
GROUPADD_PARAM:${PN} = "--system ionclock; --system gpio"
USERADD_PARAM:${PN} = "--system --gid ionclock --groups dialout,gpio \
    --home-dir /var/lib/ionclock --no-create-home --shell /sbin/nologin ionclock"

FILES:${PN} += "${nonarch_base_libdir}/udev/rules.d/99-ionclock.rules"
CONFFILES:${PN} = "${sysconfdir}/default/ionclock"

# A Quarkus native executable links glibc and libz dynamically. DEPENDS only makes
# zlib's shared-library data available to the packaging step; nothing is compiled.
# Pi4J's gpiod provider loads libgpiod at run time (dlopen, not detected here).
DEPENDS += "zlib"
RDEPENDS:${PN} += "zlib"

# native-image strips the executable and links it itself.
INHIBIT_PACKAGE_STRIP = "1"
INHIBIT_PACKAGE_DEBUG_SPLIT = "1"
INSANE_SKIP:${PN} += "already-stripped ldflags"
