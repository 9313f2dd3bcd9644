import type Docker from "dockerode";

/** Whether an image can run the stdio executor; remembered per image. */
export function pythonProbe(docker: Docker): (image: string) => Promise<boolean> {
  const byImage = new Map<string, boolean>();
  return async (image) => {
    const known = byImage.get(image);
    if (known !== undefined) return known;
    const inspected = await docker.getImage(image).inspect();
    // Corral's own image always has it; for others, look for a python3 on the usual paths.
    const yes = inspected.Config?.Labels?.["corral.image"] === "sandbox" || (await runsPython(docker, image));
    byImage.set(image, yes);
    return yes;
  };
}

async function runsPython(docker: Docker, image: string): Promise<boolean> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: ["python3", "-c", "print(1)"],
    HostConfig: { NetworkMode: "none", AutoRemove: false },
  });
  try {
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    return result.StatusCode === 0;
  } catch {
    return false;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
