package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.spring.actuate.MountedSecretsActuatorAutoConfiguration;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.asm.ClassReader;
import org.springframework.asm.ClassVisitor;
import org.springframework.asm.Handle;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.SpringAsmInfo;
import org.springframework.asm.Type;

/**
 * The starter's bytecode links against the Spring Boot line the tests run on: every class,
 * constructor, method and field of Spring, HikariCP, Micrometer and Spring Cloud that it uses
 * exists there and is accessible. Only classes that their auto-configuration selects by class
 * presence may name a class this line lacks.
 */
class LinkageTest {
  private static final List<String> CHECKED = List.of("org/springframework/", "com/zaxxer/",
      "io/micrometer/");
  /** Loaded only when Spring Boot 4's health API is present. */
  private static final Set<String> BOOT4_ONLY = Set.of(
      "io/github/mountedsecrets/spring/actuate/MountedSecretsHealthIndicator",
      "io/github/mountedsecrets/spring/ssl/SslBundlesHealthIndicator");
  /** Loaded only when HikariCP 7's {@code HikariCredentialsProvider} is present. */
  private static final Set<String> HIKARI7_ONLY = Set.of(
      "io/github/mountedsecrets/spring/jdbc/RotationCredentialsProvider");

  @Test
  void everyReferenceResolvesOnThisLine() throws Exception {
    List<String> problems = new ArrayList<>();
    int references = 0;
    for (byte[] bytes : starterClasses()) {
      ClassReader reader = new ClassReader(bytes);
      String owner = reader.getClassName();
      if (!BootLine.isBoot4() && BOOT4_ONLY.contains(owner)
          || !BootLine.hasCredentialsProvider() && HIKARI7_ONLY.contains(owner)) {
        continue;
      }
      List<String[]> refs = references(reader);
      references += refs.size();
      for (String[] ref : refs) {
        String problem = check(ref);
        if (problem != null) {
          problems.add(owner.replace('/', '.') + " -> " + problem);
        }
      }
    }
    assertThat(references).isGreaterThan(100);
    assertThat(problems).isEmpty();
  }

  /** Returns {kind, owner, name, descriptor} for each reference to a checked library. */
  private static List<String[]> references(ClassReader reader) {
    List<String[]> refs = new ArrayList<>();
    int api = SpringAsmInfo.ASM_VERSION;
    reader.accept(new ClassVisitor(api) {
      @Override
      public void visit(int version, int access, String name, String signature, String superName,
          String[] interfaces) {
        add("class", superName, null, null);
        for (String type : interfaces) {
          add("class", type, null, null);
        }
      }

      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor,
          String signature, String[] exceptions) {
        return new MethodVisitor(api) {
          @Override
          public void visitMethodInsn(int opcode, String owner, String method, String desc,
              boolean isInterface) {
            add("method", owner, method, desc);
          }

          @Override
          public void visitFieldInsn(int opcode, String owner, String field, String desc) {
            add("field", owner, field, desc);
          }

          @Override
          public void visitTypeInsn(int opcode, String type) {
            add("class", type, null, null);
          }

          @Override
          public void visitInvokeDynamicInsn(String name, String desc, Handle bootstrap,
              Object... arguments) {
            for (Object argument : arguments) {
              if (argument instanceof Handle) {
                Handle handle = (Handle) argument;
                add(handle.getDesc().startsWith("(") ? "method" : "field", handle.getOwner(),
                    handle.getName(), handle.getDesc());
              }
            }
          }
        };
      }

      private void add(String kind, String owner, String name, String desc) {
        if (owner != null && CHECKED.stream().anyMatch(owner::startsWith)) {
          refs.add(new String[] {kind, owner, name, desc});
        }
      }
    }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    return refs;
  }

  private static String check(String[] ref) {
    String kind = ref[0];
    String owner = ref[1].replace('/', '.');
    Class<?> type;
    try {
      type = Class.forName(owner, false, LinkageTest.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return "missing class " + owner;
    }
    if (kind.equals("class")) {
      return Modifier.isPublic(type.getModifiers()) ? null : "class not public: " + owner;
    }
    String name = ref[2];
    String desc = ref[3];
    Member member = kind.equals("field") ? field(type, name, desc) : method(type, name, desc);
    if (member == null) {
      return "missing " + kind + " " + owner + "." + name + desc;
    }
    int modifiers = member.getModifiers();
    if (!Modifier.isPublic(modifiers) && !Modifier.isProtected(modifiers)) {
      return "not accessible: " + owner + "." + name + desc;
    }
    return null;
  }

  private static Member method(Class<?> type, String name, String desc) {
    if (name.equals("<init>")) {
      for (Constructor<?> constructor : type.getDeclaredConstructors()) {
        if (Type.getConstructorDescriptor(constructor).equals(desc)) {
          return constructor;
        }
      }
      return null;
    }
    for (Class<?> c : hierarchy(type)) {
      for (Method method : c.getDeclaredMethods()) {
        if (method.getName().equals(name) && Type.getMethodDescriptor(method).equals(desc)) {
          return method;
        }
      }
    }
    return null;
  }

  private static Member field(Class<?> type, String name, String desc) {
    for (Class<?> c : hierarchy(type)) {
      for (Field field : c.getDeclaredFields()) {
        if (field.getName().equals(name) && Type.getDescriptor(field.getType()).equals(desc)) {
          return field;
        }
      }
    }
    return null;
  }

  private static List<Class<?>> hierarchy(Class<?> type) {
    List<Class<?>> all = new ArrayList<>();
    List<Class<?>> queue = new ArrayList<>(List.of(type));
    while (!queue.isEmpty()) {
      Class<?> c = queue.remove(0);
      if (c != null && !all.contains(c)) {
        all.add(c);
        queue.add(c.getSuperclass());
        queue.addAll(List.of(c.getInterfaces()));
      }
    }
    if (type.isInterface()) {
      all.add(Object.class);
    }
    return all;
  }

  /** Reads the starter's classes from its jar (or its classes directory in the IDE). */
  private static List<byte[]> starterClasses() throws IOException, URISyntaxException {
    Path location = Path.of(MountedSecretsActuatorAutoConfiguration.class.getProtectionDomain()
        .getCodeSource().getLocation().toURI());
    List<byte[]> classes = new ArrayList<>();
    if (Files.isDirectory(location)) {
      try (Stream<Path> paths = Files.walk(location)) {
        for (Path path : paths.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList())) {
          classes.add(Files.readAllBytes(path));
        }
      }
    } else {
      try (JarFile jar = new JarFile(location.toFile())) {
        Set<String> names = new TreeSet<>();
        for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
          JarEntry entry = entries.nextElement();
          if (entry.getName().endsWith(".class")) {
            names.add(entry.getName());
          }
        }
        for (String name : names) {
          try (InputStream in = jar.getInputStream(jar.getEntry(name))) {
            classes.add(in.readAllBytes());
          }
        }
      }
    }
    assertThat(classes).hasSizeGreaterThan(15);
    return classes;
  }
}
